"""Issue 13 regressions: the date shown is the day the check-in arrives, a paused peer's
pairing shows as on hold, an early skip skips one period, and counts in copy are true."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services import checkins, profiles
from bot.services.checkins import SKIP, plan_checkins
from bot.services.status import participant_status
from bot.ui.feedback import feedback_balance_message
from bot.ui.kit import slack_date
from bot.ui.status import next_checkin_line
from tests.pair_factories import make_pair


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_the_next_check_in_shown_is_the_day_its_question_arrives(session):
    # Agreed Wednesday 05:56 London: a week later is before working hours, so the question
    # is held to 09:00 that Wednesday. Status must say that Wednesday, not the one after.
    agreed = utc(2026, 12, 2, 5, 56)
    make_pair(session, ("U1", "U2"), agreed_at=agreed)
    due = agreed + timedelta(weeks=1)
    assert plan_checkins(session=session, team_id="T1", now=due).checkins == 1
    shown = checkins.next_checkin_at(session=session, team_id="T1", user_id="U1", now=due)
    assert shown == utc(2026, 12, 9, 9, 0)
    # Once they answered, the next one is a week on.
    checkins.record_answer(session=session, team_id="T1", user_id="U1", answer=SKIP, now=shown)
    after = checkins.next_checkin_at(session=session, team_id="T1", user_id="U1", now=shown)
    assert after is not None and after.date() == utc(2026, 12, 16).date()


def test_a_paused_peer_puts_the_pairing_on_hold_with_no_check_in_promised(session):
    make_pair(session, ("U1", "U2"), agreed_at=utc(2026, 3, 2, 10))
    now = utc(2026, 3, 4, 10)
    paused = profiles.pause(session=session, team_id="T1", user_id="U1", weeks=2, now=now)

    status = participant_status(session=session, team_id="T1", user_id="U2", now=now)
    assert status.next_checkin_at is None
    assert status.pair_on_hold_until == paused.paused_until
    line = next_checkin_line(status) or ""
    assert f"on hold until {slack_date(paused.paused_until)}" in line and "<@U1>" in line
    # Back from the pause: a true next date again, and no hold.
    profiles.resume(session=session, team_id="T1", user_id="U1", now=now + timedelta(days=3))
    status = participant_status(session=session, team_id="T1", user_id="U2", now=now + timedelta(days=3))
    assert status.pair_on_hold_until is None and status.next_checkin_at is not None


def test_skipping_a_monthly_check_in_started_early_skips_one_period(session):
    make_pair(session, ("U1", "U2"), agreed_at=utc(2026, 12, 18, 10), frequency="monthly")
    now = utc(2026, 12, 21, 10)
    outcome = checkins.record_answer(session=session, team_id="T1", user_id="U1", answer=SKIP, now=now)
    assert outcome.checkin.next_due_at == utc(2027, 1, 18, 10)
    shown = checkins.next_checkin_at(session=session, team_id="T1", user_id="U2", now=now)
    assert shown is not None and shown.date() == utc(2027, 1, 18).date()
    # And the worker opens that check-in on 18 January, once.
    assert plan_checkins(session=session, team_id="T1", now=utc(2027, 1, 18, 10)).checkins == 1
    assert plan_checkins(session=session, team_id="T1", now=utc(2027, 1, 25, 10)).checkins == 0


def test_the_balance_nudge_counts_truthfully():
    assert "with you twice" in feedback_balance_message(pair_id=1, giver_id="U1", given=2)[0]
    assert "with you 3 times" in feedback_balance_message(pair_id=1, giver_id="U1", given=3)[0]


def test_a_we_met_from_one_member_stands_for_the_pair(session):
    make_pair(session, ("U1", "U2"), agreed_at=utc(2026, 3, 2, 10))
    now = utc(2026, 3, 9, 10)
    plan_checkins(session=session, team_id="T1", now=now)
    first = checkins.record_answer(session=session, team_id="T1", user_id="U1", answer="met", now=now)
    second = checkins.record_answer(
        session=session, team_id="T1", user_id="U2", answer=SKIP, now=now, checkin_id=first.checkin.checkin_id
    )
    assert (second.answer, second.changed, second.answered_by) == ("met", False, "U1")
    assert second.checkin.answers == {"U1": "met"}
