"""ground rules: versioned proposals and agreements

Revision ID: 0003_ground_rules
Revises: 0002_matching
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision: str = "0003_ground_rules"
down_revision: str | None = "0002_matching"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rules_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.String(length=32), nullable=False),
        sa.Column("proposed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("agreed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("meeting_ways", sa.JSON(), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("confidentiality_exceptions", sa.Text(), nullable=False),
        sa.Column("off_limits", sa.Text(), nullable=False),
        sa.Column("feedback_commitment", sa.Boolean(), nullable=False),
        sa.Column("respect_commitment", sa.Boolean(), nullable=False),
        sa.Column("member_goals", sa.JSON(), nullable=False),
        sa.Column("message_channel", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["pairs.id"],
            name=op.f("fk_rules_proposals_pair_id_pairs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_rules_proposals_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rules_proposals")),
        sa.UniqueConstraint("pair_id", "version", name=op.f("uq_rules_proposals_pair_id_version")),
    )
    with op.batch_alter_table("rules_proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rules_proposals_team_id"), ["team_id"], unique=False)

    op.create_table(
        "rules_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("agreed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["rules_proposals.id"],
            name=op.f("fk_rules_agreements_proposal_id_rules_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_rules_agreements_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rules_agreements")),
        sa.UniqueConstraint("proposal_id", "user_id", name=op.f("uq_rules_agreements_proposal_id_user_id")),
    )
    with op.batch_alter_table("rules_agreements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rules_agreements_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rules_agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rules_agreements_team_id"))
    op.drop_table("rules_agreements")
    with op.batch_alter_table("rules_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rules_proposals_team_id"))
    op.drop_table("rules_proposals")
