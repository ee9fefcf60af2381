"""outbox indexes: a person's messages (the message budget) and due rows across workspaces

Revision ID: 0007_outbox_indexes
Revises: 0006_states
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_outbox_indexes"
down_revision: str | None = "0006_states"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_team_id_recipient_status", "outbox", ["team_id", "recipient", "status"], unique=False
    )
    op.create_index("ix_outbox_status_due_at", "outbox", ["status", "due_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_status_due_at", table_name="outbox")
    op.drop_index("ix_outbox_team_id_recipient_status", table_name="outbox")
