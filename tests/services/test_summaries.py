"""Team summaries on a real database: the counts, the threshold, and subtraction across
overlapping teams and periods."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import CheckinAnswer, Profile, SummarySnapshot, SummarySubscription
from bot.services import summaries
from bot.services.errors import NotAllowed
from bot.services.summaries import IN_PAIR, OPTED_IN, PAIRS_MET, PAUSED, Scope, TeamSummary
from tests.factories import make_profile, make_workspace
from tests.services.people import answer, make_pair, set_program

TEAM = [f"M{i:02d}" for i in range(1, 41)]
CHANNEL = Scope("channel", "C0TEAM")


def people(first: int, last: int) -> list[str]:
    return [f"M{i:02d}" for i in range(first, last + 1)]


@pytest.fixture
def team(session: Session, now: datetime) -> list[str]:
    """40 people in a channel, worked out by hand:

    opted in   M01–M26 → 26 of 40 (65%); M27 opted in only in another workspace
    paused     M01–M03 → 3, shown as "fewer than 5"
    in a pair  M04–M19 (9 active pairs, one a trio, three with someone outside the team) → 16
    met        5 pairs: M04's, M06's, M08's (both said so: still one), M16's (their outside
               peer said so), and M20's pair (met 10 days ago, ended 5 days ago). Not counted:
               a skip, a "not yet", a meeting 45 days ago, a pair with no answer.
    pairs active in the last 30 days: the 9 active and M20's → 10, so 5 met is shown exactly.
    """
    ago = lambda days: now - timedelta(days=days)  # noqa: E731
    for user in [*people(1, 26), "X1", "X2", "X3"]:
        make_profile(session, user, paused=user in ("M01", "M02", "M03"))
    make_profile(session, "M27", team_id="T2")
    pairs = {
        users: make_pair(session, users, created_at=ago(60))
        for users in (
            ("M04", "M05"),
            ("M06", "M07"),
            ("M08", "M09"),
            ("M10", "M11"),
            ("M12", "M13"),
            ("M14", "M15"),
            ("M16", "X1"),
            ("M17", "X2"),
            ("M18", "M19", "X3"),
        )
    }
    ended_recently = make_pair(session, ("M20", "M21"), created_at=ago(60), ended_at=ago(5))
    ended_long_ago = make_pair(session, ("M22", "M23"), created_at=ago(90), ended_at=ago(40))
    answer(session, pairs[("M04", "M05")], "M04", "met", at=ago(3))
    answer(session, pairs[("M06", "M07")], "M07", "met", at=ago(10))
    checkin = answer(session, pairs[("M08", "M09")], "M08", "met", at=ago(20))
    session.add(CheckinAnswer(team_id="T1", checkin_id=checkin.id, user_id="M09", answer="met", answered_at=ago(19)))
    answer(session, pairs[("M16", "X1")], "X1", "met", at=ago(2))
    answer(session, ended_recently, "M20", "met", at=ago(10))
    answer(session, pairs[("M10", "M11")], "M10", "skip", at=ago(3))
    answer(session, pairs[("M12", "M13")], "M13", "not_yet", at=ago(3))
    answer(session, pairs[("M14", "M15")], "M14", "met", at=ago(45))
    answer(session, ended_long_ago, "M22", "met", at=ago(50))
    # The same people in another workspace change nothing here.
    other = make_pair(session, ("M04", "M30"), created_at=ago(10), team_id="T2")
    answer(session, other, "M04", "met", at=ago(1))
    make_workspace(session, "T2")
    return list(TEAM)


def publish(session: Session, now: datetime, members, scope: Scope = CHANNEL, **kwargs) -> TeamSummary:
    summary = summaries.publish_summary(
        session=session, team_id="T1", scope=scope, member_ids=members, channel_id="C0TEAM", now=now, **kwargs
    )
    summaries.mark_posted(session=session, team_id="T1", snapshot_id=summary.snapshot_id, posted=True)
    return summary


def shown(summary: TeamSummary) -> dict[str, tuple[str, int, int]]:
    return {name: (f.kind, f.low, f.high) for name, f in summary.figures.items()}


def test_counts_match_the_hand_computed_team(session, now, team):
    summary = publish(session, now, team)
    assert summary.team_size == 40 and summary.counted_size == 40 and not summary.too_small
    assert shown(summary) == {
        OPTED_IN: ("exact", 26, 26),
        PAUSED: ("fewer_than", 0, 4),
        IN_PAIR: ("exact", 16, 16),
        PAIRS_MET: ("exact", 5, 5),
    }
    assert summary.figures[IN_PAIR].out_of == 26
    assert summary.counted_as_of is None and summary.previous_at is None


def test_the_record_of_a_summary_names_nobody(session, now, team):
    publish(session, now, team)
    snapshot = session.scalars(select(SummarySnapshot)).one()
    assert snapshot.figures[OPTED_IN] == [26, 26] and snapshot.figures[PAUSED] == [0, 4]
    assert len(snapshot.members) == 8 * 40
    stored = repr({c.name: getattr(snapshot, c.name) for c in SummarySnapshot.__table__.columns if c.name != "members"})
    assert not any(user in stored for user in team)
    assert summaries.fingerprint("T1", "M01") in summaries.unpack(snapshot.members)
    assert summaries.fingerprint("T1", "M01") != summaries.fingerprint("T2", "M01")


def test_small_counts_and_their_complements_are_banded(session, now):
    team = [f"U{i:02d}" for i in range(20)]
    for user in team[:17]:
        make_profile(session, user)
    summary = publish(session, now, team)
    # 17 of 20: the 3 who didn't opt in would be a count under 5, so "all but fewer than 5".
    assert shown(summary)[OPTED_IN] == ("all_but", 16, 20)
    # Without an exact opted-in count, nobody can be subtracted from it: nobody paired is
    # "fewer than 5", nobody paused too.
    assert shown(summary)[IN_PAIR] == ("fewer_than", 0, 4) and shown(summary)[PAUSED] == ("fewer_than", 0, 4)


def test_without_an_exact_opted_in_count_pairs_are_counted_against_the_whole_team(session, now):
    # 17 of 20 opted in ("at least 16"), 12 of them in pairs: once hidden as "too few to count
    # safely", which a manager of a mostly-paired team could not make sense of.
    team = [f"U{i:02d}" for i in range(20)]
    for user in team[:17]:
        make_profile(session, user)
    for first in range(0, 12, 2):
        make_pair(session, (team[first], team[first + 1]), created_at=now - timedelta(days=10))
    summary = publish(session, now, team)
    assert shown(summary)[OPTED_IN] == ("all_but", 16, 20)
    # 12 exactly: what it leaves (opted in, not paired: 4 to 8) is a range 5 wide, like a band.
    assert shown(summary)[IN_PAIR] == ("exact", 12, 12)
    assert summary.figures[IN_PAIR].out_of is None  # out of the team, not of a hidden count


def test_a_team_too_small_to_split_shows_no_figures(session, now):
    team = [f"U{i}" for i in range(8)]
    for user in team[:6]:
        make_profile(session, user)
    summary = publish(session, now, team)
    assert summary.too_small and summary.action == "small_team"
    assert {f.kind for f in summary.figures.values()} == {"hidden"}


def test_the_threshold_is_the_programs_and_never_below_three(session, now):
    team = [f"U{i:02d}" for i in range(12)]
    for user in team[:4]:
        make_profile(session, user)
    set_program(session, now=now, privacy_threshold=2)
    summary = publish(session, now, team)
    assert summary.threshold == 3
    assert shown(summary)[OPTED_IN] == ("exact", 4, 4)  # 4 ≥ 3 and 12 - 4 ≥ 3
    set_program(session, now=now, privacy_threshold=7)
    assert publish(session, now, team, scope=Scope("channel", "C0OTHER")).too_small  # 12 < 2·7-1


def test_channel_a_and_channel_a_plus_one_person(session, now, team):
    publish(session, now, team)
    make_profile(session, "M41")  # the one extra person opted in
    other = publish(session, now + timedelta(minutes=5), [*team, "M41"], scope=Scope("channel", "C0PLUS"))
    # 27 next to 26 would say M41 opted in; 16 next to 16, that M41 is not paired.
    assert shown(other)[OPTED_IN][0] == "hidden" and other.figures[OPTED_IN].hidden_because == "overlap"
    assert shown(other)[IN_PAIR][0] == "hidden" and shown(other)[PAIRS_MET][0] == "hidden"
    # "Fewer than 5" paused, next to "fewer than 5", says nothing about M41.
    assert shown(other)[PAUSED] == ("fewer_than", 0, 4)


def test_a_team_that_is_one_person_smaller_is_guarded_too(session, now, team):
    publish(session, now, team)
    smaller = publish(session, now, team[:-1], scope=Scope("usergroup", "S0SMALL"))
    # M40 never joined: 26 next to 26 would say so. Hidden.
    assert shown(smaller)[OPTED_IN][0] == "hidden" and shown(smaller)[IN_PAIR][0] == "hidden"
    assert shown(smaller)[PAUSED] == ("fewer_than", 0, 4)


def test_overlapping_teams_with_a_big_enough_mixed_difference_show_everything(session, now, team):
    publish(session, now, team)
    newcomers = [f"N{i:02d}" for i in range(10)]
    for user in newcomers[:5]:
        make_profile(session, user)
    bigger = publish(session, now, team + newcomers, scope=Scope("channel", "C0BIG"))
    # 31 next to 26: 5 of the 10 newcomers opted in, a count a summary of them could show.
    assert shown(bigger)[OPTED_IN] == ("exact", 31, 31)


def test_the_same_channel_after_one_person_joins_counts_its_earlier_members(session, now, team):
    first = publish(session, now, team)
    make_profile(session, "M41")
    later = publish(session, now + timedelta(days=7), [*team, "M41"])
    assert later.team_size == 41 and later.counted_size == 40
    assert later.counted_as_of == first.published_at
    assert shown(later)[OPTED_IN] == ("exact", 26, 26)
    assert later.figures[OPTED_IN].change == 0 and later.previous_at == first.published_at


def test_people_who_left_the_channel_are_still_counted_until_it_is_safe(session, now, team):
    publish(session, now, team)
    later = publish(session, now + timedelta(days=7), [u for u in team if u != "M05"])
    # M05 (opted in, paired) left: counting without them would give them away.
    assert later.counted_size == 40 and shown(later)[OPTED_IN] == ("exact", 26, 26)
    assert shown(later)[IN_PAIR] == ("exact", 16, 16)


def test_across_periods_a_change_never_reveals_a_hidden_figure(session, now):
    team = [f"U{i:02d}" for i in range(20)]
    for user in team[:4]:
        make_profile(session, user)
    week1 = publish(session, now, team)
    assert shown(week1)[OPTED_IN] == ("fewer_than", 0, 4)
    for user in team[4:6]:
        make_profile(session, user)
    week2 = publish(session, now + timedelta(days=7), team)
    # 6 with "+2" would tell everyone last week's hidden figure was 4.
    assert shown(week2)[OPTED_IN] == ("exact", 6, 6) and week2.figures[OPTED_IN].change is None
    for user in team[6:8]:
        make_profile(session, user)
    week3 = publish(session, now + timedelta(days=14), team)
    assert week3.figures[OPTED_IN].change == 2 and week3.previous_at == week2.published_at
    for user in team[4:8]:
        session.delete(session.scalars(select(Profile).where(Profile.user_id == user)).one())
    session.flush()
    week4 = publish(session, now + timedelta(days=21), team)
    # Back to 4: "fewer than 5", and no "−4" that would give it away either.
    assert shown(week4)[OPTED_IN] == ("fewer_than", 0, 4) and week4.figures[OPTED_IN].change is None


def test_same_period_summaries_compare_with_the_previous_period(session, now, team):
    monday = now - timedelta(days=now.isoweekday() - 1)
    first = publish(session, monday - timedelta(days=3), team)
    publish(session, monday + timedelta(hours=1), team)
    again = publish(session, monday + timedelta(hours=2), team)
    assert again.previous_at == first.published_at


def test_a_failed_post_still_counts_for_the_guard_but_not_as_the_previous_period(session, now, team):
    failed = summaries.publish_summary(
        session=session, team_id="T1", scope=CHANNEL, member_ids=team, channel_id="C0TEAM", now=now
    )
    summaries.mark_posted(session=session, team_id="T1", snapshot_id=failed.snapshot_id, posted=False)
    make_profile(session, "M41")
    plus_one = publish(session, now, [*team, "M41"], scope=Scope("channel", "C0PLUS"))
    assert plus_one.figures[OPTED_IN].kind == "hidden"
    later = publish(session, now + timedelta(days=7), team)
    assert later.previous_at is None


def test_only_admins_and_named_managers_may_post(session, now):
    make_workspace(session)
    with pytest.raises(NotAllowed) as refused:
        summaries.may_post_summary(session=session, team_id="T1", user_id="U1", is_admin=False)
    assert "program admin" in refused.value.message
    summaries.may_post_summary(session=session, team_id="T1", user_id="UADMIN", is_admin=True)
    set_program(session, now=now, manager_ids=["UBOSS"])
    summaries.may_post_summary(session=session, team_id="T1", user_id="UBOSS", is_admin=False)
    with pytest.raises(NotAllowed):
        summaries.may_post_summary(session=session, team_id="T2", user_id="UBOSS", is_admin=False)


def test_the_action_line_follows_only_what_is_shown(session, now, team):
    assert publish(session, now, team).action == "build_trust"
    few = [f"U{i:02d}" for i in range(20)]
    for user in few[:3]:
        make_profile(session, user)
    assert publish(session, now, few, scope=Scope("channel", "C0FEW")).action == "lead_by_example"


def test_scheduled_summaries_fall_due_once_per_period(session, now):
    # NOW is Wednesday 4 March 2026, 10:00 UTC.
    make_workspace(session)
    session.add(SummarySubscription(team_id="T1", channel_id="C0WEEK", cadence="weekly", created_at=now - timedelta(days=9)))
    session.add(SummarySubscription(team_id="T1", channel_id="C0MONTH", cadence="monthly", created_at=now - timedelta(days=40)))
    session.add(SummarySubscription(team_id="T1", channel_id="C0NEW", cadence="weekly", created_at=now))
    session.flush()
    due = summaries.due_summaries(session=session, now=now)
    assert [(d.channel_id, d.period) for d in due] == [("C0WEEK", "2026-W10"), ("C0MONTH", "2026-03")]
    week = due[0]
    summary = summaries.publish_summary(
        session=session,
        team_id="T1",
        scope=Scope("channel", "C0WEEK"),
        member_ids=[],
        channel_id="C0WEEK",
        now=now,
        cadence="weekly",
        delivery_key=week.delivery_key,
    )
    assert summary.too_small
    assert [d.channel_id for d in summaries.due_summaries(session=session, now=now)] == ["C0MONTH"]
    with pytest.raises(summaries.AlreadyPosted):
        summaries.publish_summary(
            session=session,
            team_id="T1",
            scope=Scope("channel", "C0WEEK"),
            member_ids=[],
            channel_id="C0WEEK",
            now=now,
            delivery_key=week.delivery_key,
        )
    # The new subscription's first summary is next Monday's.
    next_monday = datetime(2026, 3, 9, 9, 0, tzinfo=now.tzinfo)
    assert "C0NEW" in [d.channel_id for d in summaries.due_summaries(session=session, now=next_monday)]
    assert "C0NEW" not in [
        d.channel_id for d in summaries.due_summaries(session=session, now=next_monday - timedelta(minutes=1))
    ]
