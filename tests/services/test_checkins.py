"""Check-ins with a fixed `now`: cadence, working hours in several zones (across DST changes),
quiet days, pauses ending, answers, and missed check-ins escalating without nagging forever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.models import Checkin, OutboxMessage
from bot.services import checkins, outbox, profiles
from bot.services.checkins import MET, NOT_YET, SKIP, period_due, plan_checkins
from bot.services.errors import NotAllowed
from bot.services.program import Program
from bot.services.working_hours import WorkingHours, is_working_time, next_working_time
from tests.pair_factories import make_pair, set_program

# Wednesday 4 March 2026, 10:00 UTC (the suite's fixed instant).
T0 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
HOURS = WorkingHours()


def rows(session, kind=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(session.scalars(query))


def utc(*args):
    return datetime(*args, tzinfo=UTC)


# --- cadence ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "first", "second"),
    [
        ("weekly", utc(2026, 3, 11, 10), utc(2026, 3, 18, 10)),
        ("biweekly", utc(2026, 3, 18, 10), utc(2026, 4, 1, 10)),
        ("monthly", utc(2026, 4, 4, 10), utc(2026, 5, 4, 10)),
    ],
)
def test_check_ins_follow_the_agreed_frequency(session, frequency, first, second):
    pair_id = make_pair(session, ("U1", "U2"), agreed_at=T0, frequency=frequency)

    assert plan_checkins(session=session, team_id="T1", now=first - timedelta(minutes=1)).checkins == 0
    summary = plan_checkins(session=session, team_id="T1", now=first)
    assert (summary.checkins, summary.prompts) == (1, 2)
    # Planning again at the same instant, or a little later, adds nothing.
    assert plan_checkins(session=session, team_id="T1", now=first).prompts == 0
    assert plan_checkins(session=session, team_id="T1", now=first + timedelta(hours=5)).prompts == 0
    assert plan_checkins(session=session, team_id="T1", now=second - timedelta(seconds=1)).checkins == 0
    assert plan_checkins(session=session, team_id="T1", now=second).checkins == 1

    made = session.scalars(select(Checkin).where(Checkin.pair_id == pair_id).order_by(Checkin.number)).all()
    assert [(c.number, c.due_at) for c in made] == [(1, first), (2, second)]
    keys = [r.key for r in rows(session, checkins.CHECKIN)]
    assert keys == [f"checkin:{pair_id}:{n}:{u}" for n in (1, 2) for u in ("U1", "U2")]


def test_monthly_check_ins_keep_the_day_of_month():
    jan31 = utc(2026, 1, 31, 12)
    assert [period_due(jan31, "monthly", n).date().isoformat() for n in (1, 2, 3, 13)] == [
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
        "2027-02-28",
    ]


def test_a_worker_that_was_down_sends_one_check_in_not_a_backlog(session):
    make_pair(session, ("U1", "U2"), agreed_at=T0, frequency="weekly")
    summary = plan_checkins(session=session, team_id="T1", now=T0 + timedelta(weeks=5, hours=1))
    assert summary.checkins == 1 and summary.prompts == 2
    [made] = session.scalars(select(Checkin)).all()
    assert made.number == 1 and made.due_at == T0 + timedelta(weeks=5)


def test_pairs_without_agreed_rules_get_no_check_ins(session):
    make_pair(session, ("U1", "U2"), agreed_at=T0, agree=False)
    assert plan_checkins(session=session, team_id="T1", now=T0 + timedelta(weeks=3)).checkins == 0


def test_a_new_frequency_restarts_the_schedule_from_the_new_agreement(session):
    from tests.pair_factories import agree_rules

    pair_id = make_pair(session, ("U1", "U2"), agreed_at=T0, frequency="weekly")
    plan_checkins(session=session, team_id="T1", now=T0 + timedelta(weeks=1))
    changed = T0 + timedelta(weeks=1, days=2)
    agree_rules(session, pair_id, ("U1", "U2"), at=changed, frequency="monthly")
    assert plan_checkins(session=session, team_id="T1", now=T0 + timedelta(weeks=2)).checkins == 0
    assert plan_checkins(session=session, team_id="T1", now=changed + timedelta(days=31)).checkins == 1
    latest = session.scalars(select(Checkin).order_by(Checkin.number.desc())).first()
    assert latest.frequency == "monthly" and latest.due_at == utc(2026, 4, 13, 10)


# --- working hours ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "tz", "expected"),
    [
        # London, the Friday before the clocks go forward (29 March 2026): Monday 09:00 BST.
        (utc(2026, 3, 27, 18), "Europe/London", utc(2026, 3, 30, 8)),
        # London in winter: 09:00 GMT.
        (utc(2026, 3, 20, 18), "Europe/London", utc(2026, 3, 23, 9)),
        # New York, the Friday before DST starts (8 March 2026): Monday 09:00 EDT = 13:00 UTC.
        (utc(2026, 3, 6, 23), "America/New_York", utc(2026, 3, 9, 13)),
        # … and a week earlier, 09:00 EST = 14:00 UTC.
        (utc(2026, 2, 27, 23), "America/New_York", utc(2026, 3, 2, 14)),
        # Sydney leaves DST on 5 April 2026: 09:00 AEDT (22:00 UTC) before, 09:00 AEST (23:00) after.
        (utc(2026, 4, 2, 12), "Australia/Sydney", utc(2026, 4, 2, 22)),
        (utc(2026, 4, 5, 12), "Australia/Sydney", utc(2026, 4, 5, 23)),
        # Tokyo has no DST; 03:00 local on a Wednesday waits for 09:00.
        (utc(2026, 3, 3, 18), "Asia/Tokyo", utc(2026, 3, 4, 0)),
        # Already inside working hours: now.
        (utc(2026, 3, 4, 10), "Europe/London", utc(2026, 3, 4, 10)),
        # Kolkata (+05:30): 16:59 local is still in; 17:00 is not.
        (utc(2026, 3, 4, 11, 29), "Asia/Kolkata", utc(2026, 3, 4, 11, 29)),
        (utc(2026, 3, 4, 11, 30), "Asia/Kolkata", utc(2026, 3, 5, 3, 30)),
        # A zone Slack never sent (garbage) reads as UTC.
        (utc(2026, 3, 7, 12), "Not/AZone", utc(2026, 3, 9, 9)),
    ],
)
def test_next_working_time_in_each_persons_zone(after, tz, expected):
    assert next_working_time(after, tz=tz, hours=HOURS) == expected
    assert is_working_time(expected, tz=tz, hours=HOURS)


def test_quiet_days_are_the_days_off():
    friday_evening = utc(2026, 3, 6, 18)
    assert next_working_time(friday_evening, tz="UTC", hours=HOURS) == utc(2026, 3, 9, 9)
    # A Friday–Saturday weekend: Sunday is a working day, Friday is not.
    middle_east = WorkingHours.of(Program(quiet_days=(5, 6), work_start_hour=8, work_end_hour=16))
    thursday_evening = utc(2026, 3, 5, 18)
    assert next_working_time(thursday_evening, tz="Asia/Dubai", hours=middle_east) == utc(2026, 3, 8, 4)
    # Nonsense settings fall back to 09:00–17:00, Monday to Friday, rather than never.
    broken = WorkingHours.of(Program(quiet_days=(1, 2, 3, 4, 5, 6, 7), work_start_hour=17, work_end_hour=9))
    assert broken == WorkingHours()


def test_weekly_check_ins_across_a_dst_change_arrive_once_each_at_the_same_local_hour(session):
    # Agreed on a Wednesday at 05:00 UTC, so each check-in falls due before anyone's day starts.
    agreed = utc(2026, 3, 4, 5)
    make_pair(
        session,
        ("UNY", "ULON"),
        agreed_at=agreed,
        frequency="weekly",
        tz={"UNY": "America/New_York", "ULON": "Europe/London"},
    )
    # The worker ticks every hour for five weeks, through both DST changes; they meet weekly.
    at = agreed
    while at <= agreed + timedelta(weeks=5):
        for checkin_id in plan_checkins(session=session, team_id="T1", now=at).checkin_ids:
            checkins.record_answer(
                session=session, team_id="T1", user_id="UNY", answer=MET, now=at, checkin_id=checkin_id
            )
        at += timedelta(hours=1)
    prompts = rows(session, checkins.CHECKIN)
    assert len(prompts) == 10  # five check-ins, two people: none skipped, none doubled

    def local_times(user, tz):
        return [
            r.due_at.astimezone(ZoneInfo(tz)).strftime("%a %H:%M") for r in prompts if r.recipient == user
        ]

    local = {"UNY": local_times("UNY", "America/New_York"), "ULON": local_times("ULON", "Europe/London")}
    assert local == {"UNY": ["Wed 09:00"] * 5, "ULON": ["Wed 09:00"] * 5}


def test_check_ins_planned_on_a_quiet_day_wait_for_the_next_working_day(session):
    set_program(session, quiet_days=[3, 6, 7])  # Wednesdays off too
    make_pair(session, ("U1", "U2"), agreed_at=T0, frequency="weekly")  # agreed on a Wednesday
    plan_checkins(session=session, team_id="T1", now=T0 + timedelta(weeks=1))
    assert {r.due_at for r in rows(session)} == {utc(2026, 3, 12, 9)}  # Thursday 09:00 GMT


# --- answers ----------------------------------------------------------------------------


def first_checkin(session, pair_users=("U1", "U2"), frequency="weekly"):
    pair_id = make_pair(session, pair_users, agreed_at=T0, frequency=frequency)
    plan_checkins(session=session, team_id="T1", now=T0 + timedelta(weeks=1))
    checkin = session.scalars(select(Checkin).where(Checkin.pair_id == pair_id)).one()
    return pair_id, checkin.id


def test_we_met_nudges_everyone_for_feedback_once(session):
    _, checkin_id = first_checkin(session)
    when = T0 + timedelta(weeks=1, hours=2)
    outcome = checkins.record_answer(
        session=session, team_id="T1", user_id="U1", answer=MET, now=when, checkin_id=checkin_id
    )
    assert outcome.changed and outcome.checkin.met
    nudges = {r.recipient: r.status for r in rows(session, checkins.FEEDBACK_NUDGE)}
    # U1 sees the nudge in the message they clicked; U2 gets it from the worker.
    assert nudges == {"U1": outbox.SENT, "U2": outbox.PENDING}

    again = checkins.record_answer(
        session=session, team_id="T1", user_id="U1", answer=SKIP, now=when, checkin_id=checkin_id
    )
    assert not again.changed and again.answer == MET
    checkins.record_answer(
        session=session, team_id="T1", user_id="U2", answer=MET, now=when, checkin_id=checkin_id
    )
    assert len(rows(session, checkins.FEEDBACK_NUDGE)) == 2
    # U2 saw it inline too now, so the worker has nothing left to send.
    assert {r.status for r in rows(session, checkins.FEEDBACK_NUDGE)} == {outbox.SENT}


def test_not_yet_plans_one_reminder_in_working_hours_within_the_period(session):
    _, checkin_id = first_checkin(session)
    friday = utc(2026, 3, 13, 15)
    outcome = checkins.record_answer(
        session=session, team_id="T1", user_id="U2", answer=NOT_YET, now=friday, checkin_id=checkin_id
    )
    # Three days after Friday is Monday 15:00 GMT: inside hours, before the next check-in.
    assert outcome.reminder_at == utc(2026, 3, 16, 15)
    [reminder] = rows(session, checkins.REMINDER)
    assert (reminder.recipient, reminder.due_at) == ("U2", utc(2026, 3, 16, 15))
    # "Not yet" can still become "We met".
    met = checkins.record_answer(
        session=session, team_id="T1", user_id="U2", answer=MET, now=friday, checkin_id=checkin_id
    )
    assert met.changed and met.answer == MET


def test_not_yet_near_the_end_of_the_period_waits_for_the_next_check_in(session):
    _, checkin_id = first_checkin(session)
    late = utc(2026, 3, 16, 10)  # two days before the next check-in
    outcome = checkins.record_answer(
        session=session, team_id="T1", user_id="U1", answer=NOT_YET, now=late, checkin_id=checkin_id
    )
    assert outcome.reminder_at is None and rows(session, checkins.REMINDER) == []


def test_only_members_can_see_or_answer_a_check_in(session):
    _, checkin_id = first_checkin(session)
    make_pair(session, ("U3", "U4"), agreed_at=T0)
    with pytest.raises(NotAllowed):
        checkins.record_answer(
            session=session, team_id="T1", user_id="U3", answer=MET, now=T0, checkin_id=checkin_id
        )
    with pytest.raises(NotAllowed):
        checkins.checkin_view(session=session, team_id="T2", checkin_id=checkin_id, viewer_id="U1")


def test_logging_a_meeting_before_the_check_in_means_no_prompt(session):
    make_pair(session, ("U1", "U2"), agreed_at=T0, frequency="weekly")
    preview = checkins.current_checkin(
        session=session, team_id="T1", user_id="U1", now=T0 + timedelta(days=2)
    )
    assert preview.checkin_id == 0 and session.scalars(select(Checkin)).all() == []  # nothing stored
    checkins.record_answer(
        session=session, team_id="T1", user_id="U1", answer=MET, now=T0 + timedelta(days=2)
    )
    assert plan_checkins(session=session, team_id="T1", now=T0 + timedelta(weeks=1)).prompts == 0
    # The schedule carries on: the second check-in comes a week later, as usual.
    assert plan_checkins(session=session, team_id="T1", now=T0 + timedelta(weeks=2)).prompts == 2


def test_next_check_in_for_status(session):
    make_pair(session, ("U1", "U2"), agreed_at=T0, frequency="biweekly", tz={"U1": "America/New_York"})
    assert checkins.next_checkin_at(session=session, team_id="T1", user_id="U1", now=T0) == utc(
        2026, 3, 18, 13
    )
    assert checkins.next_checkin_at(session=session, team_id="T1", user_id="U2", now=T0) == utc(
        2026, 3, 18, 10
    )
    assert checkins.next_checkin_at(session=session, team_id="T1", user_id="UNOBODY", now=T0) is None


# --- quiet pairs --------------------------------------------------------------------------


def test_missed_check_ins_escalate_gently_then_offer_then_stop(session):
    pair_id = make_pair(session, ("U1", "U2"), agreed_at=T0, frequency="weekly")

    def week(n):
        return T0 + timedelta(weeks=n)

    kinds = []
    for n in range(1, 8):
        plan_checkins(session=session, team_id="T1", now=week(n))
        latest = session.scalars(select(Checkin).order_by(Checkin.number.desc())).first()
        kinds.append((latest.number, latest.escalation))
    # 1 and 2 are plain; after two missed, 3 carries a gentle note; after a third, 4 is the
    # offer; then nothing more until someone answers it.
    assert kinds == [
        (1, "none"),
        (2, "none"),
        (3, "gentle"),
        (4, "offer"),
        (4, "offer"),
        (4, "offer"),
        (4, "offer"),
    ]
    assert [r.kind for r in rows(session) if r.period == "4"] == [checkins.OFFER, checkins.OFFER]
    assert len(rows(session)) == 8  # four check-ins × two people, no more

    offer = session.scalars(select(Checkin).where(Checkin.number == 4)).one()
    decided = week(7) + timedelta(hours=1)
    checkins.decide(
        session=session,
        team_id="T1",
        checkin_id=offer.id,
        user_id="U2",
        decision=checkins.KEEP_GOING,
        now=decided,
    )
    # Check-ins resume at the next regular boundary after the answer, and the count restarts.
    assert plan_checkins(session=session, team_id="T1", now=week(7) + timedelta(hours=2)).checkins == 0
    plan_checkins(session=session, team_id="T1", now=week(8))
    latest = session.scalars(select(Checkin).order_by(Checkin.number.desc())).first()
    assert (latest.number, latest.escalation) == (5, "none")
    assert pair_id


def test_a_meeting_or_a_skip_breaks_the_streak(session):
    make_pair(session, ("U1", "U2"), agreed_at=T0, frequency="weekly")
    for n in (1, 2):
        plan_checkins(session=session, team_id="T1", now=T0 + timedelta(weeks=n))
    second = session.scalars(select(Checkin).where(Checkin.number == 2)).one()
    checkins.record_answer(
        session=session,
        team_id="T1",
        user_id="U1",
        answer=SKIP,
        now=T0 + timedelta(weeks=2, hours=1),
        checkin_id=second.id,
    )
    plan_checkins(session=session, team_id="T1", now=T0 + timedelta(weeks=3))
    third = session.scalars(select(Checkin).where(Checkin.number == 3)).one()
    assert second.outcome == "skipped" and third.escalation == "none"


def test_rematch_from_the_offer_ends_the_pair_and_tells_the_peer_kindly(session):
    pair_id = make_pair(session, ("U1", "U2"), agreed_at=T0, frequency="weekly")
    for n in range(1, 5):
        plan_checkins(session=session, team_id="T1", now=T0 + timedelta(weeks=n))
    offer = session.scalars(select(Checkin).where(Checkin.number == 4)).one()
    when = T0 + timedelta(weeks=4, hours=1)
    outcome = checkins.decide(
        session=session, team_id="T1", checkin_id=offer.id, user_id="U1", decision=checkins.REMATCH, now=when
    )
    assert outcome.ended and outcome.ended.other_user_ids == ("U2",)
    [notice] = rows(session, checkins.PAIR_ENDED)
    assert notice.recipient == "U2" and notice.pair_id == pair_id
    # U2's unsent offer is cancelled: the pair is over.
    assert {r.status for r in rows(session, checkins.OFFER) if r.recipient == "U2"} == {outbox.CANCELLED}


def test_pause_from_the_offer_pauses_that_person_for_four_weeks(session):
    make_pair(session, ("U1", "U2"), agreed_at=T0, frequency="weekly")
    for n in range(1, 5):
        plan_checkins(session=session, team_id="T1", now=T0 + timedelta(weeks=n))
    offer = session.scalars(select(Checkin).where(Checkin.number == 4)).one()
    when = T0 + timedelta(weeks=4, hours=1)
    outcome = checkins.decide(
        session=session, team_id="T1", checkin_id=offer.id, user_id="U2", decision=checkins.PAUSE, now=when
    )
    assert outcome.paused_until == when + timedelta(weeks=4)


# --- pauses -------------------------------------------------------------------------------


def test_while_someone_is_paused_the_pair_gets_nothing_then_picks_up_after(session):
    make_pair(session, ("U1", "U2"), agreed_at=T0, frequency="weekly")
    profiles.pause(session=session, team_id="T1", user_id="U2", weeks=2, now=T0 + timedelta(days=1))
    for n in (1, 2):
        assert plan_checkins(session=session, team_id="T1", now=T0 + timedelta(weeks=n)).checkins == 0
    # No check-in prompts; U1 is told once that the pairing is on hold, and until when.
    [told] = rows(session)
    assert (told.kind, told.recipient) == (checkins.PEER_PAUSED, "U1")
    outcomes = [c.outcome for c in session.scalars(select(Checkin).order_by(Checkin.number))]
    assert outcomes == ["paused", "paused"]

    back = T0 + timedelta(weeks=2, days=1, minutes=1)
    returning = checkins.end_pauses(session=session, now=back)
    assert [(r.team_id, r.user_id) for r in returning] == [("T1", "U2")]
    [welcome] = rows(session, checkins.WELCOME_BACK)
    assert welcome.recipient == "U2"
    assert (
        checkins.end_pauses(session=session, now=back) == []
        and len(rows(session, checkins.WELCOME_BACK)) == 1
    )
    # No catching up the paused weeks, and no escalation for them: the next regular one.
    assert plan_checkins(session=session, team_id="T1", now=back).prompts == 0
    plan_checkins(session=session, team_id="T1", now=T0 + timedelta(weeks=3))
    latest = session.scalars(select(Checkin).order_by(Checkin.number.desc())).first()
    assert (latest.number, latest.escalation, latest.outcome) == (3, "none", None)
