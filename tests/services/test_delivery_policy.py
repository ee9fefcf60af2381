"""decide(): every rule of the delivery policy, case by case, with no database and no clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.services.checkins import CHECKIN, FEEDBACK_NUDGE, OFFER, REMINDER
from bot.services.delivery_policy import Cancel, Defer, Program, Recipient, Send, Waiting, decide
from bot.services.feedback import FEEDBACK
from bot.services.matching.announce import INTRO
from bot.services.outbox import OutboxRow
from bot.services.working_hours import WorkingHours

# Wednesday 4 March 2026, 10:00 in London (GMT).
WED_10 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
PROGRAM = Program()
LONDON = "Europe/London"


def row(
    kind: str = CHECKIN, *, row_id: int = 1, created_at: datetime = WED_10, recipient: str = "U1"
) -> OutboxRow:
    return OutboxRow(
        id=row_id,
        team_id="T1",
        key=f"{kind}:1:1:{recipient}",
        kind=kind,
        pair_id=1,
        period="1",
        recipient=recipient,
        payload={},
        due_at=created_at,
        attempts=0,
        in_doubt=False,
        channel_id=None,
        created_at=created_at,
    )


def person(**facts) -> Recipient:
    return Recipient(**{"opted_in": True, "tz": LONDON, **facts})


def test_an_opted_in_person_in_working_hours_is_sent_to():
    assert decide(row(), person(), PROGRAM, WED_10) == Send()


def test_a_kind_nobody_defined_is_cancelled():
    assert decide(row("no_such_kind"), person(), PROGRAM, WED_10) == Cancel("unknown_kind")


def test_a_group_dm_is_sent_as_it_is_even_at_night():
    assert decide(row(INTRO, recipient="U1,U2"), None, PROGRAM, WED_10.replace(hour=2)) == Send()


def test_someone_who_never_opted_in_gets_nothing():
    assert decide(row(), Recipient(opted_in=False), PROGRAM, WED_10) == Cancel("not_opted_in")
    assert decide(row(), None, PROGRAM, WED_10) == Cancel("not_opted_in")


def test_someone_slack_says_is_gone_gets_nothing():
    assert decide(row(), person(gone=True), PROGRAM, WED_10) == Cancel("recipient_gone")


def test_a_prompt_to_someone_paused_is_cancelled():
    back = WED_10 + timedelta(weeks=2)
    assert decide(row(CHECKIN), person(paused=True, paused_until=back), PROGRAM, WED_10) == Cancel("paused")


def test_a_prompt_planned_before_the_person_paused_is_cancelled_at_send_time():
    planned = row(CHECKIN, created_at=WED_10 - timedelta(days=3))
    paused_since_yesterday = person(paused=True, paused_until=WED_10 + timedelta(days=6))
    assert decide(planned, paused_since_yesterday, PROGRAM, WED_10) == Cancel("paused")


def test_news_for_someone_paused_waits_until_the_pause_ends():
    back = WED_10 + timedelta(weeks=2)
    assert decide(row(FEEDBACK), person(paused=True, paused_until=back), PROGRAM, WED_10) == Defer(
        back, "paused"
    )


def test_news_for_someone_paused_until_they_resume_is_looked_at_again_tomorrow():
    decision = decide(row(FEEDBACK), person(paused=True), PROGRAM, WED_10)
    assert decision == Defer(WED_10 + timedelta(days=1), "paused")


def test_outside_working_hours_it_waits_for_the_next_morning_in_their_zone():
    evening = WED_10.replace(hour=18)  # 18:00 in London
    assert decide(row(), person(), PROGRAM, evening) == Defer(
        datetime(2026, 3, 5, 9, tzinfo=UTC), "outside_hours"
    )
    # 10:00 UTC is 19:00 in Tokyo: its next morning is 09:00 Tokyo, 00:00 UTC.
    assert decide(row(), person(tz="Asia/Tokyo"), PROGRAM, WED_10) == Defer(
        datetime(2026, 3, 5, 0, tzinfo=UTC), "outside_hours"
    )


def test_on_a_quiet_day_it_waits_for_the_next_working_day():
    saturday = datetime(2026, 3, 7, 11, tzinfo=UTC)
    assert decide(row(), person(), PROGRAM, saturday) == Defer(
        datetime(2026, 3, 9, 9, tzinfo=UTC), "outside_hours"
    )
    # A program whose weekend is Friday and Saturday works on Sunday.
    fri_sat = Program(hours=WorkingHours(days_off=frozenset({5, 6})))
    assert decide(row(), person(), fri_sat, saturday) == Defer(
        datetime(2026, 3, 8, 9, tzinfo=UTC), "outside_hours"
    )


# --- the message budget -------------------------------------------------------------


def test_two_unprompted_messages_today_and_a_third_waits_for_tomorrow():
    sent_today = (WED_10 - timedelta(hours=1), WED_10 - timedelta(minutes=5))
    assert decide(row(), person(sent=sent_today), PROGRAM, WED_10) == Defer(
        datetime(2026, 3, 5, 9, tzinfo=UTC), "budget"
    )
    assert decide(row(), person(sent=sent_today[:1]), PROGRAM, WED_10) == Send()


def test_yesterdays_messages_do_not_count_today_in_the_persons_own_day():
    # 23:30 UTC on Tuesday is already Wednesday in Tokyo, not in London.
    late_tuesday = (datetime(2026, 3, 3, 23, 30, tzinfo=UTC),) * 2
    tokyo_morning = datetime(2026, 3, 4, 1, tzinfo=UTC)  # 10:00 Wednesday in Tokyo
    assert isinstance(
        decide(row(), person(tz="Asia/Tokyo", sent=late_tuesday), PROGRAM, tokyo_morning), Defer
    )
    assert decide(row(), person(sent=late_tuesday), PROGRAM, WED_10) == Send()


def test_four_this_week_and_the_fifth_waits_for_next_monday():
    mon, tue = datetime(2026, 3, 2, 10, tzinfo=UTC), datetime(2026, 3, 3, 10, tzinfo=UTC)
    week = (mon, mon + timedelta(hours=1), tue, tue + timedelta(hours=1))
    assert decide(row(), person(sent=week), PROGRAM, WED_10) == Defer(
        datetime(2026, 3, 9, 9, tzinfo=UTC), "budget"
    )


def test_a_lower_budget_is_respected():
    assert isinstance(decide(row(), person(sent=(WED_10,)), Program(per_day=1), WED_10), Defer)


def test_direct_answers_do_not_count():
    # A kind that is not unprompted is sent whatever the budget.
    from bot.services.message_kinds import KINDS, KindPolicy

    KINDS["test_direct_answer"] = KindPolicy("test_direct_answer", unprompted=False)
    try:
        full = person(sent=(WED_10,) * 4)
        assert decide(row("test_direct_answer"), full, PROGRAM, WED_10) == Send()
    finally:
        del KINDS["test_direct_answer"]


def waiting(kind: str, row_id: int, *, due: datetime = WED_10, created: datetime = WED_10) -> Waiting:
    return Waiting(row_id=row_id, kind=kind, due_at=due, created_at=created)


def test_when_more_is_due_than_the_budget_allows_the_least_urgent_waits():
    # One sent today: room for one more; a check-in and a feedback nudge are both due. The
    # nudge was planned first, yet the check-in is the more urgent and goes first.
    earlier = WED_10 - timedelta(days=1)
    queue = (waiting(FEEDBACK_NUDGE, 1, created=earlier), waiting(CHECKIN, 2))
    someone = person(sent=(WED_10 - timedelta(hours=1),), waiting=queue)
    assert decide(row(CHECKIN, row_id=2), someone, PROGRAM, WED_10) == Send()
    assert decide(row(FEEDBACK_NUDGE, row_id=1, created_at=earlier), someone, PROGRAM, WED_10) == Defer(
        datetime(2026, 3, 5, 9, tzinfo=UTC), "budget"
    )


def test_among_equals_the_one_planned_first_goes_first():
    earlier = WED_10 - timedelta(days=1)
    queue = (waiting(OFFER, 1, created=earlier), waiting(OFFER, 2), waiting(OFFER, 3))
    someone = person(waiting=queue)
    assert decide(row(OFFER, row_id=1, created_at=earlier), someone, PROGRAM, WED_10) == Send()
    assert decide(row(OFFER, row_id=2), someone, PROGRAM, WED_10) == Send()
    assert isinstance(decide(row(OFFER, row_id=3), someone, PROGRAM, WED_10), Defer)


def test_a_deferred_message_skips_a_day_already_taken_by_more_urgent_ones():
    # Today is full; two check-ins wait for tomorrow (more urgent than a reminder), so the
    # reminder lands on Friday, not on the same morning as two others.
    thursday = datetime(2026, 3, 5, 10, tzinfo=UTC)
    queue = (waiting(CHECKIN, 1, due=thursday), waiting(CHECKIN, 2, due=thursday), waiting(REMINDER, 3))
    full_today = person(sent=(WED_10, WED_10), waiting=queue)
    roomy_week = Program(per_week=10)
    assert decide(row(REMINDER, row_id=3), full_today, roomy_week, WED_10) == Defer(
        datetime(2026, 3, 6, 9, tzinfo=UTC), "budget"
    )
    # With four a week, Wednesday's two and Thursday's two fill it: next Monday.
    assert decide(row(REMINDER, row_id=3), full_today, PROGRAM, WED_10) == Defer(
        datetime(2026, 3, 9, 9, tzinfo=UTC), "budget"
    )


def test_many_due_at_once_spread_over_the_days_that_have_room():
    # Six nudges due on a Wednesday with nothing sent: two today, two on Thursday, which
    # fills the week (four), and the last two on Monday.
    queue = tuple(waiting(FEEDBACK_NUDGE, i, created=WED_10 + timedelta(seconds=i)) for i in range(1, 7))
    someone = person(waiting=queue)
    decisions = [
        decide(
            row(FEEDBACK_NUDGE, row_id=i, created_at=WED_10 + timedelta(seconds=i)), someone, PROGRAM, WED_10
        )
        for i in range(1, 7)
    ]
    assert decisions[:2] == [Send(), Send()]
    thu, mon = datetime(2026, 3, 5, 9, tzinfo=UTC), datetime(2026, 3, 9, 9, tzinfo=UTC)
    assert decisions[2:] == [
        Defer(thu, "budget"),
        Defer(thu, "budget"),
        Defer(mon, "budget"),
        Defer(mon, "budget"),
    ]


@pytest.mark.parametrize("kind", [CHECKIN, FEEDBACK_NUDGE])
def test_the_budget_is_checked_only_inside_working_hours(kind):
    night = WED_10.replace(hour=22)
    decision = decide(row(kind), person(sent=(WED_10, WED_10)), PROGRAM, night)
    assert decision == Defer(datetime(2026, 3, 5, 9, tzinfo=UTC), "outside_hours")
