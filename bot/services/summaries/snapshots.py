"""The record of published summaries: what each one said, about whom (as fingerprints), and
whether Slack took it. Later summaries are checked against these for a year, then forgotten."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.models import SummarySnapshot, Workspace
from bot.models.states import SummaryStatus
from bot.services.disclosure import Interval
from bot.services.summaries.fingerprints import Group, unpack

# Earlier summaries are compared with for this long, then forgotten.
LOOKBACK = timedelta(days=365)


@dataclass(frozen=True)
class Snapshot:
    scope: str
    published_at: datetime
    fingerprints: frozenset[int]
    digest: str
    figures: dict[str, Interval]


def mark_posted(*, session: Session, team_id: str, snapshot_id: int, posted: bool) -> None:
    """Record whether Slack took the message. A failed one still counts as published (the safe side)."""
    session.execute(
        update(SummarySnapshot)
        .where(SummarySnapshot.team_id == team_id, SummarySnapshot.id == snapshot_id)
        .values(status=SummaryStatus.POSTED if posted else SummaryStatus.FAILED)
    )


def forget_claim(*, session: Session, team_id: str, snapshot_id: int) -> None:
    """Drop a scheduled summary's claim that never reached Slack, so the next tick tries again."""
    session.execute(
        delete(SummarySnapshot).where(SummarySnapshot.team_id == team_id, SummarySnapshot.id == snapshot_id)
    )


def prune_snapshots(*, session: Session, now: datetime) -> int:
    """Forget summaries older than the look-back; returns how many."""
    result = session.execute(delete(SummarySnapshot).where(SummarySnapshot.published_at < now - LOOKBACK))
    return int(getattr(result, "rowcount", 0) or 0)


def lock_workspace(session: Session, team_id: str) -> None:
    """One summary per workspace at a time: a no-op write takes PostgreSQL's row lock and
    SQLite's write lock, so a concurrent summary waits and then sees this one's record."""
    session.execute(
        update(Workspace).where(Workspace.team_id == team_id).values(created_at=Workspace.created_at)
    )


def delivered(session: Session, team_id: str, key: str) -> bool:
    found = session.scalar(
        select(SummarySnapshot.id).where(
            SummarySnapshot.team_id == team_id, SummarySnapshot.delivery_key == key
        )
    )
    return found is not None


def history(session: Session, team_id: str, now: datetime) -> list[Snapshot]:
    rows = session.execute(
        select(
            SummarySnapshot.scope,
            SummarySnapshot.published_at,
            SummarySnapshot.members,
            SummarySnapshot.members_digest,
            SummarySnapshot.figures,
        )
        .where(SummarySnapshot.team_id == team_id, SummarySnapshot.published_at >= now - LOOKBACK)
        .order_by(SummarySnapshot.published_at, SummarySnapshot.id)
    )
    return [
        Snapshot(
            scope=scope,
            published_at=published_at,
            fingerprints=unpack(members),
            digest=digest,
            figures={name: (int(v[0]), int(v[1])) for name, v in (figures or {}).items()},
        )
        for scope, published_at, members, digest, figures in rows
    ]


def latest(past: list[Snapshot], scope_key: str) -> Snapshot | None:
    """The scope's last summary that counted anyone (a skipped period counted nobody)."""
    same = [s for s in past if s.scope == scope_key and s.fingerprints]
    return same[-1] if same else None


def first_counted(past: list[Snapshot], scope_key: str, group: Group) -> datetime:
    """When this scope was first summarised with exactly these members, in an unbroken run."""
    first = None
    for snap in past:
        if snap.scope != scope_key or not snap.fingerprints:
            continue
        # A run of summaries with exactly these members; a different membership breaks it.
        first = (first or snap.published_at) if snap.digest == group.digest else None
    assert first is not None  # the latest snapshot of the scope has these members
    return first


def previous(
    session: Session, team_id: str, scope_key: str, period_start: datetime
) -> SummarySnapshot | None:
    return session.scalars(
        select(SummarySnapshot)
        .where(
            SummarySnapshot.team_id == team_id,
            SummarySnapshot.scope == scope_key,
            SummarySnapshot.status == SummaryStatus.POSTED,
            SummarySnapshot.published_at < period_start,
        )
        .order_by(SummarySnapshot.published_at.desc(), SummarySnapshot.id.desc())
        .limit(1)
    ).first()
