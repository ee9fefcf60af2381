"""foundation: workspaces, program settings and profiles

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision: str = "0001_foundation"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_workspaces")),
    )
    op.create_table(
        "program_settings",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("round_cadence", sa.String(length=16), nullable=False),
        sa.Column("next_round_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("odd_person", sa.String(length=16), nullable=False),
        sa.Column("forbid_same_team", sa.Boolean(), nullable=False),
        sa.Column("default_frequency", sa.String(length=16), nullable=False),
        sa.Column("work_start_hour", sa.Integer(), nullable=False),
        sa.Column("work_end_hour", sa.Integer(), nullable=False),
        sa.Column("quiet_days", sa.JSON(), nullable=False),
        sa.Column("privacy_threshold", sa.Integer(), nullable=False),
        sa.Column("manager_ids", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_program_settings_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_program_settings")),
    )
    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("can_share", sa.JSON(), nullable=False),
        sa.Column("want_to_grow", sa.JSON(), nullable=False),
        sa.Column("career_goals", sa.JSON(), nullable=False),
        sa.Column("experience_level", sa.String(length=32), nullable=False),
        sa.Column("function", sa.String(length=32), nullable=False),
        sa.Column("team_name", sa.String(length=80), nullable=False),
        sa.Column("background", sa.Text(), nullable=False),
        sa.Column("meeting_ways", sa.JSON(), nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("feedback_commitment", sa.Boolean(), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("paused_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("joined_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_profiles_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profiles")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_profiles_team_id_user_id")),
    )
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_profiles_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profiles_team_id"))
    op.drop_table("profiles")
    op.drop_table("program_settings")
    op.drop_table("workspaces")
