"""round preview: the preview a round confirmed, so a preview is confirmed once

Revision ID: 0010_round_preview
Revises: 0009_feedback_once
Create Date: 2026-12-02

Rounds already stored confirmed no recorded preview (NULL, which the unique constraint does
not compare).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_round_preview"
down_revision: str | None = "0009_feedback_once"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "uq_match_rounds_team_id_preview_id"


def upgrade() -> None:
    with op.batch_alter_table("match_rounds") as batch:
        batch.add_column(sa.Column("preview_id", sa.String(64), nullable=True))
        batch.create_unique_constraint(CONSTRAINT, ["team_id", "preview_id"])


def downgrade() -> None:
    with op.batch_alter_table("match_rounds") as batch:
        batch.drop_constraint(CONSTRAINT, type_="unique")
        batch.drop_column("preview_id")
