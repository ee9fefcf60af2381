"""Which Slack events have been received already (Slack retries, with the same event id)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.models import SeenEvent, Workspace
from bot.services.rows import insert_for, insert_unless_present

# Slack retries up to three times: at once, after about a minute, after about five (Slack).
KEEP_FOR = timedelta(hours=1)
MAX_EVENT_ID = 64


def first_delivery(*, session: Session, team_id: str, event_id: str, now: datetime) -> bool:
    """Record the event; True when this is the first time it arrived (in any process).

    The insert itself decides (ON CONFLICT DO NOTHING), so two processes receiving the same
    event at the same instant cannot both think they are first. Ids past their keeping time
    are forgotten on the way.
    """
    session.execute(delete(SeenEvent).where(SeenEvent.seen_at < now - KEEP_FOR))
    insert_unless_present(session, Workspace, team_id=team_id[:32], created_at=now)
    inserted = session.scalar(
        insert_for(session)(SeenEvent)
        .values(team_id=team_id[:32], event_id=event_id[:MAX_EVENT_ID], seen_at=now)
        .on_conflict_do_nothing()
        .returning(SeenEvent.event_id)
    )
    return inserted is not None
