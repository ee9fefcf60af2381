"""matching: rounds, pairs and their members, past pairings, waitlist

Revision ID: 0002_matching
Revises: 0001_foundation
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision: str = "0002_matching"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["team_id"],
        ["workspaces.team_id"],
        name=op.f(f"fk_{table}_team_id_workspaces"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "match_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("odd_person", sa.String(length=16), nullable=False),
        sa.Column("eligible_count", sa.Integer(), nullable=False),
        sa.Column("pair_count", sa.Integer(), nullable=False),
        sa.Column("trio_count", sa.Integer(), nullable=False),
        sa.Column("waitlisted_count", sa.Integer(), nullable=False),
        _workspace_fk("match_rounds"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_rounds")),
    )
    with op.batch_alter_table("match_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_rounds_team_id"), ["team_id"], unique=False)

    op.create_table(
        "pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["match_rounds.id"],
            name=op.f("fk_pairs_round_id_match_rounds"),
            ondelete="CASCADE",
        ),
        _workspace_fk("pairs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairs")),
    )
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pairs_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairs_team_id"), ["team_id"], unique=False)

    op.create_table(
        "pair_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["pairs.id"],
            name=op.f("fk_pair_members_pair_id_pairs"),
            ondelete="CASCADE",
        ),
        _workspace_fk("pair_members"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_members")),
        sa.UniqueConstraint("pair_id", "user_id", name=op.f("uq_pair_members_pair_id_user_id")),
    )
    with op.batch_alter_table("pair_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pair_members_pair_id"), ["pair_id"], unique=False)
        batch_op.create_index("ix_pair_members_team_id_user_id", ["team_id", "user_id"], unique=False)

    op.create_table(
        "past_pairings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("pair_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        _workspace_fk("past_pairings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_past_pairings")),
        sa.UniqueConstraint("team_id", "pair_key", name=op.f("uq_past_pairings_team_id_pair_key")),
    )

    op.create_table(
        "waitlist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("since", UTCDateTime(timezone=True), nullable=False),
        _workspace_fk("waitlist"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_waitlist_team_id_user_id")),
    )


def downgrade() -> None:
    op.drop_table("waitlist")
    op.drop_table("past_pairings")
    with op.batch_alter_table("pair_members", schema=None) as batch_op:
        batch_op.drop_index("ix_pair_members_team_id_user_id")
        batch_op.drop_index(batch_op.f("ix_pair_members_pair_id"))
    op.drop_table("pair_members")
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairs_team_id"))
        batch_op.drop_index(batch_op.f("ix_pairs_round_id"))
    op.drop_table("pairs")
    with op.batch_alter_table("match_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_rounds_team_id"))
    op.drop_table("match_rounds")
