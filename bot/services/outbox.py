"""The outbox: planning messages under a unique key, and the states a row moves through.

    pending ──claim (lease)──> pending+leased ──start_attempt──> in doubt ──> sent
       ^                            │                               │
       └──── release / reschedule ──┘ <── a definite "not sent" ────┘
    pending ──> cancelled (nobody to send to, or nothing to say any more) | failed (gave up)

* **Planning** inserts a row keyed by (kind, pair, period, recipient) and does nothing when the
  key exists, so planning twice — or two workers planning at once — adds nothing.
* **Claiming** takes due rows for one workspace under a lease (`lease_until`): `SELECT … FOR
  UPDATE SKIP LOCKED` on PostgreSQL; on SQLite the caller's transaction must have begun with
  `BEGIN IMMEDIATE` (bot/jobs/db.py), which makes claims one at a time. Rows whose lease ran
  out (a dead worker) are claimable again.
* **Attempts** are marked `in_doubt` in a committed transaction *before* Slack is called, and
  cleared only by a definite answer. A row found in doubt may already be in Slack; the
  sender looks for it (bot/jobs/sender.py) before sending again.

Every update after a claim names the lease owner, so a worker whose lease was taken over
cannot overwrite the new owner's work. These functions never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, func, or_, select, update
from sqlalchemy.orm import Session

from bot.models import OutboxMessage
from bot.models.states import OutboxStatus
from bot.services.rows import insert_for

PENDING, SENT, CANCELLED, FAILED = (
    OutboxStatus.PENDING,
    OutboxStatus.SENT,
    OutboxStatus.CANCELLED,
    OutboxStatus.FAILED,
)

# Transient failures are retried after 30 s, 1 min, 2 min, … then hourly: 80 failures is
# about three days. Then the row fails and the worker says so loudly. Rate limits (429) are
# not failures: the row just waits for Retry-After.
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
MAX_FAILURES = 80


@dataclass(frozen=True)
class OutboxRow:
    id: int
    team_id: str
    key: str
    kind: str
    pair_id: int | None
    period: str
    recipient: str
    payload: dict[str, Any]
    due_at: datetime
    attempts: int
    in_doubt: bool
    channel_id: str | None
    created_at: datetime


def outbox_key(kind: str, pair_id: int | None, period: str, recipient: str) -> str:
    return f"{kind}:{pair_id if pair_id is not None else '-'}:{period}:{recipient}"


@dataclass(frozen=True)
class Planned:
    """A message to plan: see `plan`."""

    kind: str
    recipient: str
    period: str
    due_at: datetime
    pair_id: int | None = None
    payload: dict[str, Any] | None = None
    delivered: bool = False


def plan(
    *,
    session: Session,
    team_id: str,
    kind: str,
    recipient: str,
    period: str,
    due_at: datetime,
    now: datetime,
    pair_id: int | None = None,
    payload: dict[str, Any] | None = None,
    delivered: bool = False,
) -> bool:
    """Add a message to the outbox unless its key is there already. True when added.

    `delivered=True` records a message that was shown some other way (say, in the message a
    person just clicked), so that planning it later adds nothing.
    """
    message = Planned(kind, recipient, period, due_at, pair_id, payload, delivered)
    return plan_many(session=session, team_id=team_id, messages=[message], now=now) == 1


def plan_many(*, session: Session, team_id: str, messages: list[Planned], now: datetime) -> int:
    """`plan` for many messages in one statement. Returns how many were new."""
    if not messages:
        return 0
    rows = [
        {
            "team_id": team_id,
            "key": outbox_key(m.kind, m.pair_id, m.period, m.recipient),
            "kind": m.kind,
            "pair_id": m.pair_id,
            "period": m.period,
            "recipient": m.recipient,
            "payload": m.payload or {},
            "status": SENT if m.delivered else PENDING,
            "due_at": m.due_at,
            "attempts": 0,
            "in_doubt": False,
            "created_at": now,
            "sent_at": now if m.delivered else None,
        }
        for m in messages
    ]
    insert = insert_for(session)
    table = cast(Table, OutboxMessage.__table__)
    statement = insert(table).on_conflict_do_nothing(index_elements=["team_id", "key"]).returning(table.c.id)
    # RETURNING rather than rowcount, which psycopg reports as -1 for this statement.
    return len(session.execute(statement, rows).all())


def find(*, session: Session, team_id: str, key: str) -> OutboxMessage | None:
    """The row as stored now (bulk updates here bypass the session, so it is read afresh)."""
    return session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.team_id == team_id, OutboxMessage.key == key)
        .execution_options(populate_existing=True)
    )


def _unheld_pending(team_id: str, key: str, now: datetime) -> tuple[ColumnElement[bool], ...]:
    """The message under `key`, still to send, certainly not in Slack, and held by no worker."""
    return (
        OutboxMessage.team_id == team_id,
        OutboxMessage.key == key,
        OutboxMessage.status == PENDING,
        OutboxMessage.in_doubt.is_(False),
        or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until <= now),
    )


def mark_delivered_elsewhere(*, session: Session, team_id: str, key: str, now: datetime) -> bool:
    """A pending message whose content the person has just been shown: don't send it too.

    Only a row no worker holds is changed; one being sent right now is left to arrive.
    """
    result = session.execute(
        update(OutboxMessage)
        .where(*_unheld_pending(team_id, key, now))
        .values(status=SENT, sent_at=now, last_error="shown_elsewhere")
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def hold_pending(*, session: Session, team_id: str, key: str, now: datetime) -> bool:
    """Hold a pending message that no worker holds, so what it will say can still change.

    True: the row is locked until this transaction ends (a row lock on PostgreSQL, which
    the worker's claim skips; the write lock on SQLite), and no worker has it, so the
    content it renders later is what this transaction leaves. False: it is being sent,
    may already be in Slack, or is settled.
    """
    result = session.execute(
        update(OutboxMessage)
        .where(*_unheld_pending(team_id, key, now))
        .values(due_at=OutboxMessage.due_at)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def cancel_pending(
    *,
    session: Session,
    team_id: str,
    reason: str,
    recipient: str | None = None,
    pair_id: int | None = None,
    kinds: tuple[str, ...] | None = None,
) -> int:
    """Cancel pending rows to a person and/or for a pair (not those in doubt: they may be in
    Slack already and must be settled by the sender)."""
    conditions = [
        OutboxMessage.team_id == team_id,
        OutboxMessage.status == PENDING,
        OutboxMessage.in_doubt.is_(False),
    ]
    if recipient is not None:
        conditions.append(OutboxMessage.recipient == recipient)
    if pair_id is not None:
        conditions.append(OutboxMessage.pair_id == pair_id)
    if kinds is not None:
        conditions.append(OutboxMessage.kind.in_(kinds))
    result = session.execute(
        update(OutboxMessage)
        .where(*conditions)
        .values(status=CANCELLED, last_error=reason, lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


# --- the worker's side ----------------------------------------------------------------


def _due(team_id: str | None, now: datetime) -> Select[OutboxMessage]:
    conditions = [
        OutboxMessage.status == PENDING,
        OutboxMessage.due_at <= now,
        or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until <= now),
    ]
    if team_id is not None:
        conditions.insert(0, OutboxMessage.team_id == team_id)
    return select(OutboxMessage).where(*conditions)


def teams_with_due(*, session: Session, now: datetime) -> list[str]:
    """Workspaces with at least one row due and free, oldest due first."""
    rows = session.execute(
        _due(None, now)
        .with_only_columns(OutboxMessage.team_id, func.min(OutboxMessage.due_at))
        .group_by(OutboxMessage.team_id)
        .order_by(func.min(OutboxMessage.due_at))
    ).all()
    return [team_id for team_id, _ in rows]


def claim_due(
    *, session: Session, team_id: str, owner: str, now: datetime, lease: timedelta, limit: int
) -> list[OutboxRow]:
    """Lease up to `limit` due rows of one workspace to `owner`, oldest due first."""
    rows = session.scalars(
        _due(team_id, now)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.lease_owner = owner
        row.lease_until = now + lease
    session.flush()
    return [_row(r) for r in rows]


def held(session: Session, row_id: int, owner: str) -> OutboxMessage | None:
    """The row, if `owner` still holds its lease and it is still pending."""
    row = session.get(OutboxMessage, row_id, populate_existing=True)
    if row is None or row.status != PENDING or row.lease_owner != owner:
        return None
    return row


def start_attempt(*, session: Session, row_id: int, owner: str, now: datetime, lease: timedelta) -> bool:
    """Record that a send is about to start, renewing the lease. Commit before calling Slack.
    False when the lease is no longer `owner`'s (nothing may be sent then)."""
    return _update_held(session, row_id, owner, in_doubt=True, lease_until=now + lease)


def mark_sent(
    *, session: Session, row_id: int, owner: str, channel_id: str, ts: str | None, now: datetime
) -> bool:
    return _settle(
        session,
        row_id,
        owner,
        status=SENT,
        sent_at=now,
        channel_id=channel_id,
        message_ts=ts,
        in_doubt=False,
        last_error=None,
    )


def remember_channel(*, session: Session, row_id: int, owner: str, channel_id: str) -> None:
    _update_held(session, row_id, owner, channel_id=channel_id)


def reschedule(
    *, session: Session, row_id: int, owner: str, due_at: datetime, reason: str, not_sent: bool
) -> bool:
    """Try again at `due_at` (Retry-After, outside working hours, paused). `not_sent`: Slack
    answered, so the message is certainly not there and the row is no longer in doubt."""
    values: dict[str, Any] = {"due_at": due_at, "last_error": reason}
    if not_sent:
        values["in_doubt"] = False
    return _settle(session, row_id, owner, **values)


def retry_later(
    *, session: Session, row_id: int, owner: str, now: datetime, reason: str, not_sent: bool
) -> datetime | None:
    """Back off after a transient failure. Returns when it will be tried, or None when the
    row has been failing too long and is given up (status "failed")."""
    row = held(session, row_id, owner)
    if row is None:
        return None
    row.attempts += 1
    if row.attempts >= MAX_FAILURES and (not_sent or not row.in_doubt):
        fail(session=session, row_id=row_id, owner=owner, reason=reason)
        return None
    delay = min(BACKOFF_FIRST * (2 ** min(row.attempts - 1, 8)), BACKOFF_MAX)
    when = now + delay
    reschedule(session=session, row_id=row_id, owner=owner, due_at=when, reason=reason, not_sent=not_sent)
    return when


def fail(*, session: Session, row_id: int, owner: str, reason: str) -> bool:
    return _settle(session, row_id, owner, status=FAILED, in_doubt=False, last_error=reason)


def cancel(*, session: Session, row_id: int, owner: str, reason: str) -> bool:
    """Nothing to send any more (recipient paused, left, or the question was answered)."""
    return _settle(session, row_id, owner, status=CANCELLED, in_doubt=False, last_error=reason)


def release(*, session: Session, row_ids: list[int], owner: str) -> None:
    """Give back leased rows untouched (the workspace is rate limited or stopped)."""
    if not row_ids:
        return
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(row_ids), OutboxMessage.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )


def _settle(session: Session, row_id: int, owner: str, **values: Any) -> bool:
    """Write an outcome and end the lease, if `owner` still holds it."""
    return _update_held(session, row_id, owner, lease_owner=None, lease_until=None, **values)


def _update_held(session: Session, row_id: int, owner: str, **values: Any) -> bool:
    # One conditional UPDATE: the hot path of the sender, and atomic by itself.
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id, OutboxMessage.lease_owner == owner, OutboxMessage.status == PENDING
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0)) == 1


def _row(row: OutboxMessage) -> OutboxRow:
    return OutboxRow(
        id=row.id,
        team_id=row.team_id,
        key=row.key,
        kind=row.kind,
        pair_id=row.pair_id,
        period=row.period,
        recipient=row.recipient,
        payload=dict(row.payload or {}),
        due_at=row.due_at,
        attempts=row.attempts,
        in_doubt=row.in_doubt,
        channel_id=row.channel_id,
        created_at=row.created_at,
    )


def counts(*, session: Session, team_id: str | None = None) -> dict[str, int]:
    """How many rows are in each status (for logs, tests and the benchmark)."""
    statement = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    if team_id is not None:
        statement = statement.where(OutboxMessage.team_id == team_id)
    return {str(row[0]): int(row[1]) for row in session.execute(statement)}


def sent_messages(*, session: Session, team_id: str, keys: list[str]) -> list[tuple[str, str]]:
    """(channel, ts) of the messages sent under these keys, to edit them later."""
    rows = session.execute(
        select(OutboxMessage.channel_id, OutboxMessage.message_ts).where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.key.in_(keys),
            OutboxMessage.status == SENT,
            OutboxMessage.channel_id.is_not(None),
            OutboxMessage.message_ts.is_not(None),
        )
    ).all()
    return [(channel, ts) for channel, ts in rows if channel and ts]
