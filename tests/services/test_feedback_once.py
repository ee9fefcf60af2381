"""One feedback per author, peer and check-in: changed while it waits, refused kindly once
delivered, the same words again are one submission, and the database holds it under a race."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.db import make_engine, make_session_factory
from bot.models import Feedback, OutboxMessage
from bot.services import feedback, outbox
from bot.services.checkins import plan_checkins
from bot.services.feedback import EDITED, NEW, REPEATED, FeedbackAlreadySent, ValidFeedback
from tests.pair_factories import make_pair

T0 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # Wednesday, in London's working hours
FIRST = ValidFeedback("You listened well", "Share drafts earlier", "")
SECOND = ValidFeedback("You asked sharp questions", "Book the room sooner", "My slides")


def give(session, pair_id, words, *, author="U1", to="U2", now=T0, checkin_number=None):
    return feedback.give_feedback(
        session=session,
        team_id="T1",
        pair_id=pair_id,
        author_id=author,
        recipient_id=to,
        feedback=words,
        now=now,
        checkin_number=checkin_number,
    )


def stored(session):
    return session.execute(
        select(
            Feedback.author_id, Feedback.recipient_id, Feedback.checkin_number, Feedback.did_well
        ).order_by(Feedback.id)
    ).all()


def messages(session):
    return session.scalars(select(OutboxMessage).where(OutboxMessage.kind == feedback.FEEDBACK)).all()


def claim(session, now):
    """What the worker does first: lease the due rows."""
    return outbox.claim_due(
        session=session, team_id="T1", owner="worker", now=now, lease=timedelta(minutes=5), limit=10
    )


def deliver(session, now):
    for row in claim(session, now):
        assert outbox.mark_sent(
            session=session, row_id=row.id, owner="worker", channel_id="D1", ts="1.0", now=now
        )


def test_a_second_submission_before_delivery_replaces_the_words(session):
    pair_id = make_pair(session, ("U1", "U2"), agreed_at=T0)
    first = give(session, pair_id, FIRST)
    later = T0 + timedelta(minutes=3)
    second = give(session, pair_id, SECOND, now=later)

    assert (first.outcome, second.outcome) == (NEW, EDITED)
    assert second.feedback_id == first.feedback_id
    assert second.delivery_at == first.delivery_at  # planned once, not pushed back
    [row] = session.scalars(select(Feedback)).all()
    assert (row.did_well, row.suggestion, row.ask_next) == (
        SECOND.did_well,
        SECOND.suggestion,
        SECOND.ask_next,
    )
    assert (row.created_at, row.edited_at) == (T0, later)
    [message] = messages(session)
    assert message.status == outbox.PENDING and message.payload == {"feedback_id": row.id}


def test_the_same_words_again_are_one_submission_even_just_after_delivery(session):
    pair_id = make_pair(session, ("U1", "U2"), agreed_at=T0)
    give(session, pair_id, FIRST)
    again = give(session, pair_id, FIRST, now=T0 + timedelta(seconds=1))
    assert (again.outcome, again.delivered) == (REPEATED, False)

    deliver(session, T0 + timedelta(minutes=1))
    soon = give(session, pair_id, FIRST, now=T0 + timedelta(minutes=2))
    assert (soon.outcome, soon.delivered) == (REPEATED, True)
    assert len(stored(session)) == 1 and len(messages(session)) == 1
    assert session.scalars(select(Feedback.edited_at)).one() is None

    # Past the window the same words are a new attempt, and it was delivered: refused.
    with pytest.raises(FeedbackAlreadySent):
        give(session, pair_id, FIRST, now=T0 + feedback.SAME_SUBMISSION_WINDOW + timedelta(seconds=1))


def test_after_delivery_a_second_submission_is_refused_and_says_when(session):
    pair_id = make_pair(session, ("U1", "U2"), agreed_at=T0)
    give(session, pair_id, FIRST)
    delivered_at = T0 + timedelta(minutes=1)
    deliver(session, delivered_at)

    with pytest.raises(FeedbackAlreadySent) as refused:
        give(session, pair_id, SECOND, now=T0 + timedelta(minutes=5))
    assert (refused.value.recipient_id, refused.value.sent_at, refused.value.on_its_way) == (
        "U2",
        delivered_at,
        False,
    )
    assert [words for *_, words in stored(session)] == [FIRST.did_well]
    assert [m.status for m in messages(session)] == [outbox.SENT]
    with pytest.raises(FeedbackAlreadySent):
        feedback.feedback_so_far(
            session=session, team_id="T1", pair_id=pair_id, author_id="U1", recipient_id="U2", now=T0
        )


def test_while_the_worker_holds_it_the_words_no_longer_change(session):
    pair_id = make_pair(session, ("U1", "U2"), agreed_at=T0)
    give(session, pair_id, FIRST)
    [leased] = claim(session, T0 + timedelta(seconds=30))

    with pytest.raises(FeedbackAlreadySent) as refused:
        give(session, pair_id, SECOND, now=T0 + timedelta(minutes=1))
    assert (refused.value.sent_at, refused.value.on_its_way) == (None, True)
    assert [words for *_, words in stored(session)] == [FIRST.did_well]
    # A double click meanwhile is still the same submission.
    assert give(session, pair_id, FIRST, now=T0 + timedelta(minutes=1)).outcome == REPEATED

    # A worker that died: once its lease runs out, the waiting message can change again.
    assert give(session, pair_id, SECOND, now=T0 + timedelta(minutes=6)).outcome == EDITED
    assert leased.id == messages(session)[0].id


def test_each_check_in_and_each_peer_has_room_for_one(session):
    pair_id = make_pair(session, ("U1", "U2", "U3"), agreed_at=T0)  # a trio
    assert give(session, pair_id, FIRST, to="U2").outcome == NEW
    assert give(session, pair_id, FIRST, to="U3").outcome == NEW
    assert give(session, pair_id, FIRST, author="U2", to="U1").outcome == NEW

    week = T0 + timedelta(weeks=1)
    plan_checkins(session=session, team_id="T1", now=week)  # check-in 1 falls due
    assert give(session, pair_id, FIRST, to="U2", now=week, checkin_number=1).outcome == NEW
    # Given any time, it belongs to the newest check-in; a number the pair never had (an
    # old or altered button) opens no slot of its own.
    assert give(session, pair_id, SECOND, to="U2", now=week).outcome == EDITED
    assert give(session, pair_id, SECOND, to="U2", now=week, checkin_number=99).outcome == REPEATED

    plan_checkins(session=session, team_id="T1", now=week + timedelta(weeks=1))
    # The nudge for check-in 1, answered once check-in 2 is open, is still check-in 1's.
    assert give(session, pair_id, FIRST, to="U2", now=week, checkin_number=1).outcome == EDITED
    assert give(session, pair_id, FIRST, to="U2", now=week + timedelta(weeks=1)).outcome == NEW
    assert sorted((a, r, n) for a, r, n, _ in stored(session)) == [
        ("U1", "U2", 0),
        ("U1", "U2", 1),
        ("U1", "U2", 2),
        ("U1", "U3", 0),
        ("U2", "U1", 0),
    ]


def test_the_modal_opens_with_what_can_still_change(session):
    pair_id = make_pair(session, ("U1", "U2"), agreed_at=T0)

    def so_far():
        return feedback.feedback_so_far(
            session=session, team_id="T1", pair_id=pair_id, author_id="U1", recipient_id="U2", now=T0
        )

    assert so_far() is None
    give(session, pair_id, SECOND)
    assert so_far() == SECOND


def test_the_database_holds_one_feedback_per_author_peer_and_check_in(session_factory):
    with session_factory.begin() as session:
        pair_id = make_pair(session, ("U1", "U2"), agreed_at=T0)
    row = {
        "team_id": "T1",
        "pair_id": pair_id,
        "checkin_number": 0,
        "author_id": "U1",
        "recipient_id": "U2",
        "did_well": "a",
        "suggestion": "b",
        "created_at": T0,
    }
    with session_factory.begin() as session:
        session.add(Feedback(**row))
    with pytest.raises(IntegrityError), session_factory.begin() as session:
        session.add(Feedback(**row))
        session.flush()


def test_two_processes_storing_at_once_keep_one_feedback_and_one_message(session_factory, database_url):
    pairs = 4
    with session_factory.begin() as session:
        pair_ids = [make_pair(session, (f"UA{n}", f"UB{n}"), agreed_at=T0) for n in range(pairs)]
    engines = [make_engine(database_url) for _ in range(2)]  # as two web processes would
    outcomes: list[object] = []
    lock = threading.Lock()

    def submit(engine, n: int, words: ValidFeedback, start: threading.Barrier) -> None:
        start.wait()
        try:
            with make_session_factory(engine).begin() as session:
                outcome: object = give(session, pair_ids[n], words, author=f"UA{n}", to=f"UB{n}").outcome
        except Exception as error:  # reported by the assertion below
            outcome = error
        with lock:
            outcomes.append(outcome)

    for n in range(pairs):
        start = threading.Barrier(2)
        threads = [
            threading.Thread(target=submit, args=(engine, n, words, start))
            for engine, words in zip(engines, (FIRST, SECOND), strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    for engine in engines:
        engine.dispose()

    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    # Each pair: one stored it, the other replaced its words (they were still waiting).
    assert sorted(outcomes) == sorted([NEW, EDITED] * pairs)
    with session_factory.begin() as session:
        assert (
            sorted(pair_id for _, pair_id in session.execute(select(Feedback.id, Feedback.pair_id)))
            == pair_ids
        )
        assert sorted(m.pair_id for m in messages(session)) == pair_ids
