"""admin and privacy: settings audit log, summary subscriptions and published-summary snapshots

Revision ID: 0005_admin_privacy
Revises: 0004_worker
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision: str = "0005_admin_privacy"
down_revision: str | None = "0004_worker"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column("changed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_audit_log_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_team_id_changed_at", "audit_log", ["team_id", "changed_at"], unique=False)
    op.create_table(
        "summary_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("cadence", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_summary_subscriptions_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_summary_subscriptions")),
        sa.UniqueConstraint(
            "team_id", "channel_id", name=op.f("uq_summary_subscriptions_team_id_channel_id")
        ),
    )
    op.create_table(
        "summary_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("delivery_key", sa.String(length=96), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("published_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("team_size", sa.Integer(), nullable=False),
        sa.Column("counted_size", sa.Integer(), nullable=False),
        sa.Column("members", sa.LargeBinary(), nullable=False),
        sa.Column("members_digest", sa.String(length=64), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_summary_snapshots_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_summary_snapshots")),
        sa.UniqueConstraint(
            "team_id", "delivery_key", name=op.f("uq_summary_snapshots_team_id_delivery_key")
        ),
    )
    op.create_index(
        "ix_summary_snapshots_team_id_published_at",
        "summary_snapshots",
        ["team_id", "published_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_summary_snapshots_team_id_published_at", table_name="summary_snapshots")
    op.drop_table("summary_snapshots")
    op.drop_table("summary_subscriptions")
    op.drop_index("ix_audit_log_team_id_changed_at", table_name="audit_log")
    op.drop_table("audit_log")
