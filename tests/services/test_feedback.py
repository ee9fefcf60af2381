"""Feedback: validation, delivery planned in the recipient's working hours, readable only by
its author and recipient, and a gentle nudge when the exchange is one-sided."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.ids import FeedbackField
from bot.models import OutboxMessage
from bot.services import feedback
from bot.services.checkins import plan_checkins
from bot.services.errors import DomainError, InvalidInput, NotAllowed
from bot.services.feedback import FeedbackAnswers, ValidFeedback
from tests.pair_factories import make_pair

T0 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
WORDS = ValidFeedback(
    did_well="You listened <really> well & asked good questions",
    suggestion="Share drafts earlier",
    ask_next="",
)


def give(session, pair_id, author, recipient, *, now=T0):
    return feedback.give_feedback(
        session=session,
        team_id="T1",
        pair_id=pair_id,
        author_id=author,
        recipient_id=recipient,
        feedback=WORDS,
        now=now,
    )


def test_validation_names_each_missing_or_long_field():
    with pytest.raises(InvalidInput) as invalid:
        feedback.validate_feedback(FeedbackAnswers(did_well="  ", suggestion="", ask_next="x" * 501))
    assert set(invalid.value.field_errors) == {
        FeedbackField.DID_WELL,
        FeedbackField.SUGGESTION,
        FeedbackField.ASK_NEXT,
    }
    valid = feedback.validate_feedback(FeedbackAnswers(did_well=" Clear ", suggestion="Slower", ask_next=""))
    assert valid == ValidFeedback("Clear", "Slower", "")


def test_feedback_is_readable_only_by_its_author_and_recipient(session):
    pair_id = make_pair(session, ("U1", "U2", "U3"), agreed_at=T0)  # a trio: U3 is in the pair too
    other = make_pair(session, ("U4", "U5"), agreed_at=T0)
    given = give(session, pair_id, "U1", "U2")

    for reader in ("U1", "U2"):
        view = feedback.read_feedback(
            session=session, team_id="T1", feedback_id=given.feedback_id, reader_id=reader
        )
        assert view.did_well == WORDS.did_well
    for reader in ("U3", "U4", "UADMIN"):
        with pytest.raises(NotAllowed):
            feedback.read_feedback(
                session=session, team_id="T1", feedback_id=given.feedback_id, reader_id=reader
            )
        assert feedback.feedback_for(session=session, team_id="T1", reader_id=reader) == []
    # Another workspace can't read it either, even as its author.
    with pytest.raises(NotAllowed):
        feedback.read_feedback(session=session, team_id="T2", feedback_id=given.feedback_id, reader_id="U1")
    assert [f.feedback_id for f in feedback.feedback_for(session=session, team_id="T1", reader_id="U2")] == [
        given.feedback_id
    ]
    # Counts (no words) are all anyone else gets.
    assert feedback.exchange_counts(session=session, team_id="T1", pair_id=pair_id) == {("U1", "U2"): 1}
    assert other


def test_feedback_goes_to_a_peer_in_the_same_open_pair_only(session):
    pair_id = make_pair(session, ("U1", "U2"), agreed_at=T0)
    make_pair(session, ("U3", "U4"), agreed_at=T0)
    with pytest.raises(NotAllowed):
        give(session, pair_id, "U1", "U3")
    with pytest.raises(NotAllowed):
        give(session, pair_id, "U1", "U1")
    with pytest.raises(DomainError):
        give(session, pair_id, "U3", "U1")  # not their pair


def test_delivery_waits_for_the_recipients_working_hours(session):
    pair_id = make_pair(session, ("U1", "UTOKYO"), agreed_at=T0, tz={"UTOKYO": "Asia/Tokyo"})
    given = give(session, pair_id, "U1", "UTOKYO")  # 19:00 in Tokyo
    assert given.delivery_at == datetime(2026, 3, 5, 0, 0, tzinfo=UTC)  # 09:00 Thursday in Tokyo
    [row] = session.scalars(select(OutboxMessage)).all()
    assert (row.kind, row.recipient, row.payload) == (
        "feedback",
        "UTOKYO",
        {"feedback_id": given.feedback_id},
    )
    # The outbox holds a reference, never the words.
    assert "listened" not in repr(row.payload) + row.key


def test_one_sided_feedback_nudges_the_quiet_side_once(session):
    pair_id = make_pair(session, ("U1", "U2"), agreed_at=T0)
    give(session, pair_id, "U1", "U2")
    assert feedback.one_sided(session=session, team_id="T1", pair_id=pair_id) == []
    for week in (1, 2):  # one piece of feedback per check-in
        plan_checkins(session=session, team_id="T1", now=T0 + timedelta(weeks=week))
        give(session, pair_id, "U1", "U2", now=T0 + timedelta(weeks=week))
    assert feedback.one_sided(session=session, team_id="T1", pair_id=pair_id) == [("U1", "U2")]
    nudges = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == feedback.FEEDBACK_BALANCE)
    ).all()
    assert [(n.recipient, n.payload) for n in nudges] == [("U2", {"giver": "U1"})]

    back = give(session, pair_id, "U2", "U1", now=T0 + timedelta(weeks=2, days=1))
    assert back.reciprocal
    assert feedback.one_sided(session=session, team_id="T1", pair_id=pair_id) == []


def test_no_feedback_without_a_pair(session):
    make_pair(session, ("U1", "U2"), agreed_at=T0)
    with pytest.raises(DomainError):
        feedback.feedback_target(session=session, team_id="T1", user_id="ULONELY")
    target = feedback.feedback_target(session=session, team_id="T1", user_id="U2")
    assert target.peer_ids == ("U1",)
