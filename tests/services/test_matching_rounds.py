"""Matching rounds and pairs end to end on a real database: who is paired, stored, never repeated."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import MatchRound, Pair, PairMember, PastPairing, Profile, Waitlist
from bot.services.matching import (
    RoundPlan,
    RoundResult,
    active_pair_member_ids,
    current_pair,
    end_pair,
    preview_round,
    remove_from_waitlist,
    run_round,
)
from bot.services.matching.history import pair_key
from tests.factories import make_profile

TWO_WAY_A = {"can_share": ["Public speaking"], "want_to_grow": ["Data modelling"]}
TWO_WAY_B = {"can_share": ["Data modelling"], "want_to_grow": ["Public speaking"]}


def preview(session: Session, now: datetime, **options: Any) -> RoundPlan:
    args: dict[str, Any] = {"team_id": "T1", "seed": 1, "forbid_same_team": False, "odd_person": "waitlist"}
    args.update(options)
    return preview_round(session=session, now=now, **args)


def run(session: Session, now: datetime, **options: Any) -> RoundResult:
    args: dict[str, Any] = {
        "team_id": "T1",
        "seed": 1,
        "forbid_same_team": False,
        "odd_person": "waitlist",
        "trigger": "admin",
    }
    args.update(options)
    return run_round(session=session, now=now, **args)


def paired(plan: RoundPlan) -> set[frozenset[str]]:
    return {frozenset(pair.user_ids) for pair in plan.pairs}


def count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


# -- what the score prefers, seen through a whole round -------------------------------------


def test_reciprocity_is_preferred_over_one_way(session: Session, now: datetime) -> None:
    make_profile(session, "UANA", **TWO_WAY_A)
    make_profile(session, "UBEN", **TWO_WAY_B)
    make_profile(session, "UCAL", can_share=["Data modelling"])  # one way to Ana
    make_profile(session, "UDEE", want_to_grow=["Data modelling"])  # one way from Ben

    plan = preview(session, now)

    assert paired(plan) == {frozenset({"UANA", "UBEN"}), frozenset({"UCAL", "UDEE"})}


def test_different_teams_are_preferred_and_forbidden_when_the_program_says_so(
    session: Session, now: datetime
) -> None:
    make_profile(session, "UA1", team_name="Payments")
    make_profile(session, "UA2", team_name="Payments")
    make_profile(session, "UB1", team_name="Growth")
    make_profile(session, "UB2", team_name="Growth")

    plan = preview(session, now)

    for pair in plan.pairs:
        assert {user[:2] for user in pair.user_ids} == {"UA", "UB"}

    session.delete(session.scalars(select(Profile).where(Profile.user_id == "UB1")).one())
    session.delete(session.scalars(select(Profile).where(Profile.user_id == "UB2")).one())
    session.flush()
    assert paired(preview(session, now, forbid_same_team=False)) == {frozenset({"UA1", "UA2"})}
    forbidden = preview(session, now, forbid_same_team=True)
    assert forbidden.pairs == ()
    assert {(left.user_id, left.reason) for left in forbidden.leftovers} == {
        ("UA1", "no_new_partner"),
        ("UA2", "no_new_partner"),
    }


def test_level_gaps_are_penalised(session: Session, now: datetime) -> None:
    # The cross-level pairs have everything else going for them, and still lose.
    make_profile(session, "UEARLY1", experience_level="early", **TWO_WAY_A)
    make_profile(session, "UEARLY2", experience_level="early")
    make_profile(session, "USENIOR1", experience_level="senior", **TWO_WAY_B)
    make_profile(session, "USENIOR2", experience_level="senior")

    plan = preview(session, now)

    assert paired(plan) == {frozenset({"UEARLY1", "UEARLY2"}), frozenset({"USENIOR1", "USENIOR2"})}


def test_a_big_level_gap_is_accepted_only_when_nobody_else_is_there(session: Session, now: datetime) -> None:
    make_profile(session, "UEARLY", experience_level="early")
    make_profile(session, "ULEAD", experience_level="lead")

    plan = preview(session, now)

    assert paired(plan) == {frozenset({"UEARLY", "ULEAD"})}
    assert plan.lowest_score is not None and plan.lowest_score < 0


# -- who takes part ------------------------------------------------------------------------------


def test_paused_and_departed_people_are_never_matched(session: Session, now: datetime) -> None:
    make_profile(session, "UACTIVE1")
    make_profile(session, "UACTIVE2")
    make_profile(session, "UPAUSED", paused=True, paused_until=now + timedelta(weeks=2), **TWO_WAY_A)
    make_profile(session, "UPAUSEDFOREVER", paused=True, paused_until=None, **TWO_WAY_B)
    make_profile(session, "UPAUSEOVER", paused=True, paused_until=now - timedelta(days=1))
    gone = make_profile(session, "UGONE")
    session.delete(gone)
    session.flush()

    plan = preview(session, now)

    everyone = {user for pair in plan.pairs for user in pair.user_ids} | {
        left.user_id for left in plan.leftovers
    }
    assert everyone == {"UACTIVE1", "UACTIVE2", "UPAUSEOVER"}
    assert plan.eligible_count == 3


def test_people_in_an_active_pair_sit_the_round_out(session: Session, now: datetime) -> None:
    make_profile(session, "UANA")
    make_profile(session, "UBEN")
    run(session, now)
    make_profile(session, "UCAL")
    make_profile(session, "UDEE")

    plan = preview(session, now + timedelta(days=14))

    assert paired(plan) == {frozenset({"UCAL", "UDEE"})}
    assert active_pair_member_ids(session=session, team_id="T1") == {"UANA", "UBEN"}


def test_two_workspaces_are_never_mixed(session: Session, now: datetime) -> None:
    make_profile(session, "UANA", team_id="T1", **TWO_WAY_A)
    make_profile(session, "UBEN", team_id="T2", **TWO_WAY_B)
    make_profile(session, "UCAL", team_id="T2")

    assert preview(session, now, team_id="T1").pairs == ()
    result = run(session, now, team_id="T2")

    assert paired(result.plan) == {frozenset({"UBEN", "UCAL"})}
    assert current_pair(session=session, team_id="T1", user_id="UBEN") is None
    assert session.scalars(select(Pair.team_id)).all() == ["T2"]
    assert set(session.scalars(select(PairMember.team_id))) == {"T2"}


# -- never the same pair twice -----------------------------------------------------------------


def test_no_repeat_after_a_rematch(session: Session, now: datetime) -> None:
    make_profile(session, "UANA", **TWO_WAY_A)
    make_profile(session, "UBEN", **TWO_WAY_B)
    run(session, now)

    ended = end_pair(session=session, team_id="T1", user_id="UANA", now=now, reason="rematch")
    later = preview(session, now + timedelta(days=14), seed=99)

    assert ended is not None and ended.other_user_ids == ("UBEN",)
    assert later.pairs == ()
    assert {left.reason for left in later.leftovers} == {"no_new_partner"}


def test_no_repeat_after_leaving_and_rejoining(session: Session, now: datetime) -> None:
    make_profile(session, "UANA", **TWO_WAY_A)
    make_profile(session, "UBEN", **TWO_WAY_B)
    make_profile(session, "UCAL")
    first = run(session, now, odd_person="trio")
    assert first.plan.trio_count == 1

    # Ana leaves: the pair ends, her profile (and her pair membership) go; later she rejoins.
    end_pair(session=session, team_id="T1", user_id="UANA", now=now, reason="left")
    session.delete(session.scalars(select(Profile).where(Profile.user_id == "UANA")).one())
    session.execute(PairMember.__table__.delete().where(PairMember.user_id == "UANA"))
    session.flush()
    make_profile(session, "UANA", **TWO_WAY_A)

    later = preview(session, now + timedelta(days=30), seed=5, odd_person="trio")

    assert later.pairs == ()  # every two of the trio have met: nobody may meet again
    assert count(session, PastPairing) == 3


def test_past_pairings_are_one_way_hashes_of_each_combination(session: Session, now: datetime) -> None:
    for user in ("UANA", "UBEN", "UCAL"):
        make_profile(session, user)

    run(session, now, odd_person="trio")

    keys = set(session.scalars(select(PastPairing.pair_key)))
    assert keys == {pair_key("T1", a, b) for a, b in (("UANA", "UBEN"), ("UANA", "UCAL"), ("UBEN", "UCAL"))}
    assert pair_key("T1", "UANA", "UBEN") == pair_key("T1", "UBEN", "UANA")
    assert pair_key("T2", "UANA", "UBEN") != pair_key("T1", "UANA", "UBEN")
    assert not any("UANA" in key for key in keys)


# -- the odd person out ------------------------------------------------------------------------


def test_odd_person_joins_the_best_fitting_pair_as_a_trio(session: Session, now: datetime) -> None:
    make_profile(session, "UANA", **TWO_WAY_A)
    make_profile(session, "UBEN", **TWO_WAY_B)
    make_profile(session, "UCAL", tz="Asia/Tokyo")
    make_profile(session, "UDEE", tz="Asia/Tokyo")
    make_profile(session, "UEVE", tz="Asia/Tokyo")

    plan = preview(session, now, odd_person="trio")

    assert plan.trio_count == 1
    (trio,) = [pair for pair in plan.pairs if len(pair.user_ids) == 3]
    (left,) = plan.leftovers
    assert left.outcome == "trio" and left.reason == "odd_one_out"
    assert trio.user_ids[2] == left.user_id and set(left.trio_with or ()) == set(trio.user_ids[:2])
    assert f"<@{left.user_id}> joins you as a third" in trio.explanation
    assert not trio.explanation.startswith("You ")  # "you both" would be ambiguous among three
    assert plan.waitlisted == ()


def test_a_trio_is_only_made_when_allowed_with_both(session: Session, now: datetime) -> None:
    make_profile(session, "UA1", team_name="Payments")
    make_profile(session, "UB1", team_name="Growth")
    make_profile(session, "UA2", team_name="Payments")

    plan = preview(session, now, odd_person="trio", forbid_same_team=True)

    assert plan.trio_count == 0
    (left,) = plan.leftovers
    assert left.outcome == "waitlist"


def test_odd_person_is_waitlisted_and_matched_first_next_round(session: Session, now: datetime) -> None:
    make_profile(session, "UANA", **TWO_WAY_A)
    make_profile(session, "UBEN", **TWO_WAY_B)
    make_profile(session, "UCAL", experience_level="senior")
    first = run(session, now)

    assert paired(first.plan) == {frozenset({"UANA", "UBEN"})}
    assert first.waitlisted == ("UCAL",)
    assert session.scalars(select(Waitlist.user_id)).all() == ["UCAL"]

    # Two newcomers who suit each other far better than either suits Cal.
    make_profile(session, "UDEE", **TWO_WAY_A)
    make_profile(session, "UEVE", **TWO_WAY_B)
    without_priority = preview(session, now, seed=3)
    session.execute(Waitlist.__table__.delete())
    session.flush()
    assert paired(preview(session, now, seed=3)) == {frozenset({"UDEE", "UEVE"})}
    session.add(Waitlist(team_id="T1", user_id="UCAL", since=now))
    session.flush()

    second = run(session, now + timedelta(days=14), seed=3)

    assert paired(second.plan) == paired(without_priority)
    assert any("UCAL" in pair for pair in paired(second.plan))
    assert session.scalars(select(Waitlist.user_id)).all() == [second.waitlisted[0]]
    assert second.waitlisted[0] in {"UDEE", "UEVE"}


def test_someone_already_waiting_keeps_their_place(session: Session, now: datetime) -> None:
    make_profile(session, "UANA", team_name="Payments")
    make_profile(session, "UBEN", team_name="Payments")
    run(session, now, forbid_same_team=True)

    run(session, now + timedelta(days=14), forbid_same_team=True)

    since = {row.user_id: row.since for row in session.execute(select(Waitlist.user_id, Waitlist.since))}
    assert since == {"UANA": now, "UBEN": now}


def test_people_who_left_are_dropped_from_the_waitlist(session: Session, now: datetime) -> None:
    for user in ("UANA", "UBEN", "UCAL"):
        make_profile(session, user)
    first = run(session, now)
    (waiting,) = first.waitlisted
    session.delete(session.scalars(select(Profile).where(Profile.user_id == waiting)).one())
    session.flush()

    run(session, now + timedelta(days=14))

    assert count(session, Waitlist) == 0


def test_remove_from_waitlist(session: Session, now: datetime) -> None:
    for user in ("UANA", "UBEN", "UCAL"):
        make_profile(session, user)
    (waiting,) = run(session, now).waitlisted

    assert remove_from_waitlist(session=session, team_id="T1", user_id=waiting) is True
    assert remove_from_waitlist(session=session, team_id="T1", user_id=waiting) is False


# -- seeds, previews and what a run stores -----------------------------------------------------


def make_even_pool(session: Session, size: int) -> None:
    for number in range(size):
        make_profile(session, f"U{number:03d}")  # all alike: only the seed decides


def test_the_same_seed_gives_the_same_plan_and_other_seeds_may_differ(
    session: Session, now: datetime
) -> None:
    make_even_pool(session, 8)

    plans = [paired(preview(session, now, seed=seed)) for seed in range(6)]

    assert paired(preview(session, now, seed=0)) == plans[0]
    assert len({frozenset(plan) for plan in plans}) > 1


def test_preview_writes_nothing_and_the_run_matches_it(session: Session, now: datetime) -> None:
    for number in range(7):
        make_profile(
            session,
            f"U{number:03d}",
            can_share=["Public speaking"] if number % 2 else ["Data modelling"],
            want_to_grow=["Data modelling"] if number % 3 else ["Public speaking"],
            team_name=f"Team {number % 3}",
            experience_level=["early", "mid", "senior"][number % 3],
        )
    plan = preview(session, now, seed=42, odd_person="trio")
    assert (count(session, MatchRound), count(session, Pair), count(session, PastPairing)) == (0, 0, 0)

    result = run(session, now, seed=42, odd_person="trio", trigger="schedule")

    assert result.plan == plan
    assert [created.user_ids for created in result.pairs] == [pair.user_ids for pair in plan.pairs]
    stored_round = session.get(MatchRound, result.round_id)
    assert stored_round is not None
    assert (stored_round.seed, stored_round.trigger, stored_round.pair_count, stored_round.trio_count) == (
        42,
        "schedule",
        3,
        1,
    )
    assert count(session, PastPairing) == 2 * 1 + 3  # two pairs and one trio
    for created, planned in zip(result.pairs, plan.pairs, strict=True):
        row = session.get(Pair, created.pair_id)
        assert row is not None
        assert row.status == "new" and row.ended_at is None
        assert tuple(member.user_id for member in row.members) == planned.user_ids
        assert row.score == pytest.approx(planned.score)
        assert row.reasons == list(planned.reasons)
    assert plan.average_score == pytest.approx(sum(p.score for p in plan.pairs) / 3)
    assert plan.lowest_score == min(p.score for p in plan.pairs)


def test_bad_options_are_refused(session: Session, now: datetime) -> None:
    with pytest.raises(ValueError):
        preview(session, now, odd_person="quartet")
    with pytest.raises(ValueError):
        run(session, now, trigger="cron")


# -- a person's pair ---------------------------------------------------------------------------


def test_current_pair_shows_the_peer_and_why(session: Session, now: datetime) -> None:
    make_profile(session, "UANA", **TWO_WAY_A)
    make_profile(session, "UBEN", **TWO_WAY_B)
    result = run(session, now)

    view = current_pair(session=session, team_id="T1", user_id="UBEN")

    assert view is not None
    assert view.pair_id == result.pairs[0].pair_id
    assert view.peers_of("UBEN") == ("UANA",)
    assert view.status == "new" and view.created_at == now
    assert view.explanation == result.pairs[0].explanation
    assert "public speaking" in view.explanation and "data modelling" in view.explanation


def test_ending_a_pair_returns_the_peer_and_frees_both(session: Session, now: datetime) -> None:
    make_profile(session, "UANA")
    make_profile(session, "UBEN")
    run(session, now)
    later = now + timedelta(days=3)

    ended = end_pair(session=session, team_id="T1", user_id="UBEN", now=later, reason="rematch")

    assert ended is not None
    assert (ended.ended_by, ended.other_user_ids, ended.reason) == ("UBEN", ("UANA",), "rematch")
    row = session.get(Pair, ended.pair_id)
    assert row is not None and (row.ended_at, row.end_reason, row.status) == (later, "rematch", "ended")
    assert current_pair(session=session, team_id="T1", user_id="UANA") is None
    assert active_pair_member_ids(session=session, team_id="T1") == set()
    assert end_pair(session=session, team_id="T1", user_id="UBEN", now=later, reason="rematch") is None


def test_ending_a_trio_ends_it_for_all_three(session: Session, now: datetime) -> None:
    for user in ("UANA", "UBEN", "UCAL"):
        make_profile(session, user)
    run(session, now, odd_person="trio")

    ended = end_pair(session=session, team_id="T1", user_id="UCAL", now=now, reason="left")

    assert ended is not None and set(ended.other_user_ids) == {"UANA", "UBEN"}
    assert active_pair_member_ids(session=session, team_id="T1") == set()


def test_ending_needs_a_known_reason(session: Session, now: datetime) -> None:
    with pytest.raises(ValueError):
        end_pair(session=session, team_id="T1", user_id="UANA", now=now, reason="bored")
