"""Scheduled summaries: which subscribed channels are due a summary for this period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import SummarySnapshot, SummarySubscription, WorkspaceDelivery
from bot.models.states import SummaryStatus
from bot.services import periods
from bot.services.profiles import ensure_workspace
from bot.services.program import program_settings
from bot.services.summaries.fingerprints import digest
from bot.services.summaries.publishing import Scope
from bot.services.summaries.snapshots import delivered


@dataclass(frozen=True)
class DueSummary:
    team_id: str
    channel_id: str
    cadence: str
    period: str
    delivery_key: str


def due_summaries(*, session: Session, now: datetime) -> list[DueSummary]:
    """Subscribed channels whose summary for the current period is due and not yet claimed.

    Weekly summaries fall due on the week's first working day, monthly ones on the month's,
    at the start of the program's working hours (UTC); a subscription's first summary is the
    first one due after it was made.
    """
    due: list[DueSummary] = []
    stopped = set(
        session.scalars(select(WorkspaceDelivery.team_id).where(WorkspaceDelivery.disabled_at.is_not(None)))
    )
    subscriptions = session.scalars(select(SummarySubscription).order_by(SummarySubscription.id)).all()
    for sub in subscriptions:
        if sub.team_id in stopped:
            continue  # Slack refused the workspace's token: nothing can be posted there now
        program = program_settings(session=session, team_id=sub.team_id)
        due_at = periods.due_at(sub.cadence, now, program.quiet_days, program.work_start_hour)
        if due_at is None or now < due_at or due_at < sub.created_at:
            continue
        key = delivery_key(sub.cadence, sub.channel_id, periods.label(sub.cadence, now))
        if delivered(session, sub.team_id, key):
            continue
        due.append(DueSummary(sub.team_id, sub.channel_id, sub.cadence, periods.label(sub.cadence, now), key))
    return due


def record_undeliverable(*, session: Session, due: DueSummary, now: datetime) -> None:
    """Mark this period's summary as skipped (the app can't read or post in the channel), so
    the worker doesn't try again every minute. It counted nobody and showed nothing."""
    ensure_workspace(session=session, team_id=due.team_id, now=now)
    if delivered(session, due.team_id, due.delivery_key):
        return
    session.add(
        SummarySnapshot(
            team_id=due.team_id,
            scope=Scope("channel", due.channel_id).key,
            period=due.period,
            delivery_key=due.delivery_key,
            channel_id=due.channel_id,
            published_at=now,
            status=SummaryStatus.FAILED,
            team_size=0,
            counted_size=0,
            members=b"",
            members_digest=digest(b""),
            threshold=program_settings(session=session, team_id=due.team_id).privacy_threshold,
            figures={},
        )
    )
    session.flush()


def delivery_key(cadence: str, channel_id: str, period: str) -> str:
    return f"{cadence}:{channel_id}:{period}"
