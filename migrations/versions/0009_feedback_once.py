"""feedback once: one per author, recipient and check-in (a unique constraint), and edited_at

Revision ID: 0009_feedback_once
Revises: 0008_seen_events
Create Date: 2026-12-03

Feedback given any time used to carry no check-in (NULL), and every submission was a row of
its own. Upgrading:

* a row without a check-in is given the pair's newest check-in at the time it was written
  (0 when there was none yet), as new feedback is;
* where older rows now share one author, recipient and check-in, the newest keeps that
  check-in and the older ones keep their words but lose the check-in (NULL, which the
  constraint does not compare). Nothing anyone wrote is deleted, and each row keeps its own
  message (sent, or still on its way); only new feedback is held to one per check-in.

Downgrading drops the constraint and the column; the check-ins filled in stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision: str = "0009_feedback_once"
down_revision: str | None = "0008_seen_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLOT = ["pair_id", "author_id", "recipient_id", "checkin_number"]
CONSTRAINT = "uq_feedback_pair_id_author_id_recipient_id_checkin_number"

feedback = sa.table(
    "feedback",
    sa.column("id", sa.Integer()),
    sa.column("pair_id", sa.Integer()),
    sa.column("author_id", sa.String()),
    sa.column("recipient_id", sa.String()),
    sa.column("checkin_number", sa.Integer()),
    sa.column("created_at", UTCDateTime()),
)
checkins = sa.table(
    "checkins",
    sa.column("pair_id", sa.Integer()),
    sa.column("number", sa.Integer()),
    sa.column("created_at", UTCDateTime()),
)


def upgrade() -> None:
    connection = op.get_bind()
    newest_then = (
        sa.select(sa.func.max(checkins.c.number))
        .where(checkins.c.pair_id == feedback.c.pair_id, checkins.c.created_at <= feedback.c.created_at)
        .scalar_subquery()
    )
    connection.execute(
        feedback.update()
        .where(feedback.c.checkin_number.is_(None))
        .values(checkin_number=sa.func.coalesce(newest_then, 0))
    )
    seen: set[tuple[object, ...]] = set()
    older: list[int] = []
    for row in connection.execute(
        sa.select(feedback.c.id, *(feedback.c[c] for c in SLOT)).order_by(feedback.c.id.desc())
    ):
        slot = tuple(row[1:])
        if slot in seen:
            older.append(row.id)
        seen.add(slot)
    for start in range(0, len(older), 500):
        connection.execute(
            feedback.update().where(feedback.c.id.in_(older[start : start + 500])).values(checkin_number=None)
        )
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("edited_at", UTCDateTime(timezone=True), nullable=True))
        batch.create_unique_constraint(CONSTRAINT, SLOT)


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.drop_constraint(CONSTRAINT, type_="unique")
        batch.drop_column("edited_at")
