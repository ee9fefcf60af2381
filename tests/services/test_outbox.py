"""The outbox: unique keys, claiming with a lease, takeover, rescheduling and back-off.

Claims are exclusive under real concurrency too: two threads with their own connections
claim at once (SQLite through BEGIN IMMEDIATE, PostgreSQL through FOR UPDATE SKIP LOCKED
when TEST_DATABASE_URL is set).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db import make_session_factory
from bot.jobs.db import worker_engine
from bot.models import OutboxMessage
from bot.services import outbox
from tests.factories import make_workspace

T0 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def plan(session, recipient="U1", *, period="1", kind="checkin", due=T0, team_id="T1"):
    make_workspace(session, team_id)
    return outbox.plan(
        session=session, team_id=team_id, kind=kind, recipient=recipient, period=period, due_at=due, now=T0
    )


def test_planning_twice_adds_nothing(session):
    assert plan(session) is True
    assert plan(session) is False
    assert plan(session, due=T0 + timedelta(days=1)) is False  # same key, whatever the time
    assert plan(session, recipient="U2") is True
    assert plan(session, team_id="T2") is True  # keys are per workspace
    assert (
        session.scalar(select(OutboxMessage.key).where(OutboxMessage.recipient == "U2")) == "checkin:-:1:U2"
    )
    assert outbox.counts(session=session) == {"pending": 3}


def test_a_claim_leases_due_rows_and_a_second_claim_gets_the_others(session):
    for n in range(5):
        plan(session, recipient=f"U{n}", due=T0 - timedelta(minutes=n))
    plan(session, recipient="ULATER", due=T0 + timedelta(hours=1))
    first = outbox.claim_due(session=session, team_id="T1", owner="a", now=T0, lease=LEASE, limit=3)
    second = outbox.claim_due(session=session, team_id="T1", owner="b", now=T0, lease=LEASE, limit=10)
    assert [r.recipient for r in first] == ["U4", "U3", "U2"]  # oldest due first
    assert [r.recipient for r in second] == ["U1", "U0"]
    assert outbox.claim_due(session=session, team_id="T1", owner="c", now=T0, lease=LEASE, limit=10) == []


def test_a_dead_workers_lease_expires_and_another_takes_the_row_over(session):
    plan(session)
    [row] = outbox.claim_due(session=session, team_id="T1", owner="dead", now=T0, lease=LEASE, limit=1)
    assert outbox.start_attempt(session=session, row_id=row.id, owner="dead", now=T0, lease=LEASE)
    # Still leased a minute later; free once the lease ran out, and in doubt.
    assert (
        outbox.claim_due(
            session=session, team_id="T1", owner="b", now=T0 + timedelta(minutes=1), lease=LEASE, limit=1
        )
        == []
    )
    [taken] = outbox.claim_due(session=session, team_id="T1", owner="b", now=T0 + LEASE, lease=LEASE, limit=1)
    assert taken.id == row.id and taken.in_doubt
    # The dead worker's late writes are refused; the new owner's count.
    assert not outbox.mark_sent(
        session=session, row_id=row.id, owner="dead", channel_id="D1", ts="1.0", now=T0
    )
    assert outbox.mark_sent(
        session=session, row_id=row.id, owner="b", channel_id="D1", ts="1.0", now=T0 + LEASE
    )
    assert outbox.counts(session=session) == {"sent": 1}


def test_rate_limited_rows_wait_for_retry_after_and_are_not_in_doubt(session):
    plan(session)
    [row] = outbox.claim_due(session=session, team_id="T1", owner="a", now=T0, lease=LEASE, limit=1)
    outbox.start_attempt(session=session, row_id=row.id, owner="a", now=T0, lease=LEASE)
    outbox.reschedule(
        session=session,
        row_id=row.id,
        owner="a",
        due_at=T0 + timedelta(seconds=30),
        reason="ratelimited",
        not_sent=True,
    )
    stored = session.get(OutboxMessage, row.id)
    assert (stored.in_doubt, stored.status, stored.lease_owner) == (False, "pending", None)
    assert (
        outbox.claim_due(
            session=session, team_id="T1", owner="a", now=T0 + timedelta(seconds=29), lease=LEASE, limit=1
        )
        == []
    )
    assert (
        len(
            outbox.claim_due(
                session=session, team_id="T1", owner="a", now=T0 + timedelta(seconds=30), lease=LEASE, limit=1
            )
        )
        == 1
    )


def test_transient_failures_back_off_and_finally_fail(session):
    plan(session)
    now = T0
    delays = []
    for _ in range(outbox.MAX_FAILURES):
        [row] = outbox.claim_due(session=session, team_id="T1", owner="a", now=now, lease=LEASE, limit=1)
        when = outbox.retry_later(
            session=session, row_id=row.id, owner="a", now=now, reason="fatal_error", not_sent=True
        )
        if when is None:
            break
        delays.append(when - now)
        now = when
    assert delays[:5] == [timedelta(seconds=s) for s in (30, 60, 120, 240, 480)]
    assert max(delays) == timedelta(hours=1)
    assert outbox.counts(session=session) == {"failed": 1}


def test_an_attempt_in_doubt_is_not_cancelled_behind_the_senders_back(session):
    plan(session, recipient="U1")
    plan(session, recipient="U1", period="2")
    [row, _] = outbox.claim_due(session=session, team_id="T1", owner="a", now=T0, lease=LEASE, limit=2)
    outbox.start_attempt(session=session, row_id=row.id, owner="a", now=T0, lease=LEASE)
    assert outbox.cancel_pending(session=session, team_id="T1", reason="paused", recipient="U1") == 1
    assert session.get(OutboxMessage, row.id).status == "pending"


def test_two_workers_claiming_at_once_never_share_a_row(database_url, engine):
    factory = make_session_factory(engine)
    with factory.begin() as session:
        make_workspace(session, "T1")
        for n in range(300):
            outbox.plan(
                session=session,
                team_id="T1",
                kind="checkin",
                recipient=f"U{n}",
                period="1",
                due_at=T0,
                now=T0,
            )

    claimed: dict[str, list[int]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def claim(owner: str) -> None:
        own_engine = worker_engine(database_url)
        sessions = make_session_factory(own_engine)
        start.wait()
        while True:
            with sessions.begin() as session:
                rows = outbox.claim_due(
                    session=session, team_id="T1", owner=owner, now=T0, lease=LEASE, limit=7
                )
            if not rows:
                break
            claimed[owner].extend(r.id for r in rows)
        own_engine.dispose()

    threads = [threading.Thread(target=claim, args=(owner,)) for owner in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not set(claimed["a"]) & set(claimed["b"])
    assert len(claimed["a"]) + len(claimed["b"]) == 300
