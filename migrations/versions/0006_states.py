"""states: a CHECK constraint on every stored state (the values of bot.models.states)

Revision ID: 0006_states
Revises: 0005_admin_privacy
Create Date: 2026-12-02

The values are written out here, not imported, so this migration keeps meaning what it meant
when a later one widens or narrows an enum.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006_states"
down_revision: str | None = "0005_admin_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> column -> allowed values (NULL is allowed where the column is nullable).
STATES: dict[str, dict[str, tuple[str, ...]]] = {
    "outbox": {"status": ("pending", "sent", "cancelled", "failed")},
    "pairs": {"status": ("new", "active", "ended")},
    "rules_proposals": {"status": ("pending", "agreed", "superseded")},
    "summary_snapshots": {"status": ("claimed", "posted", "failed")},
    "checkins": {
        "outcome": ("met", "skipped", "missed", "paused"),
        "escalation": ("none", "gentle", "offer"),
        "decision": ("keep_going", "pause", "rematch"),
    },
    "checkin_answers": {"answer": ("met", "not_yet", "skip")},
}


def _condition(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    for table, columns in STATES.items():
        with op.batch_alter_table(table) as batch:
            for column, values in columns.items():
                batch.create_check_constraint(op.f(f"ck_{table}_{column}"), _condition(column, values))


def downgrade() -> None:
    for table, columns in STATES.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
