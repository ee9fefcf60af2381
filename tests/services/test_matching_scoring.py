"""Scoring and explaining a possible pair, from real profiles in the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bot.services.matching.explain import explain
from bot.services.matching.scoring import (
    WEIGHTS,
    Candidate,
    PairScore,
    Reason,
    ReasonCode,
    score_pair,
    shared_working_hours,
    topic_key,
    utc_offset_minutes,
)
from tests.factories import make_profile


def candidate(session: Session, user_id: str, **fields: Any) -> Candidate:
    return Candidate.from_profile(make_profile(session, user_id, **fields))


def scored(a: Candidate, b: Candidate, now: datetime, *, forbid_same_team: bool = False) -> PairScore:
    result = score_pair(a, b, now=now, forbid_same_team=forbid_same_team)
    assert result is not None
    return result


def codes(result: PairScore) -> list[ReasonCode]:
    return [reason.code for reason in result.reasons]


def test_two_way_reciprocity_beats_one_way_which_beats_none(session: Session, now: datetime) -> None:
    ana = candidate(session, "UANA", can_share=["Public speaking"], want_to_grow=["Data modelling"])
    ben = candidate(session, "UBEN", can_share=["Data modelling"], want_to_grow=["Public speaking"])
    # Cal wants what Ana offers (with even more topics counted) but has nothing Ana wants.
    cal = candidate(session, "UCAL", want_to_grow=["Public speaking", "Strategy", "Negotiation"])
    dee = candidate(session, "UDEE", can_share=["Sales"], want_to_grow=["Marketing"])

    two_way = scored(ana, ben, now)
    one_way = scored(ana, cal, now)
    nothing = scored(ana, dee, now)

    assert two_way.score > one_way.score > nothing.score
    assert ReasonCode.TWO_WAY in codes(two_way)
    assert ReasonCode.TWO_WAY not in codes(one_way)
    # "Clearly": one topic each way beats one way with as many topics as are counted.
    greedy_one_way = WEIGHTS.teaches + WEIGHTS.teaches_extra * (WEIGHTS.max_topics_counted - 1)
    assert 2 * WEIGHTS.teaches + WEIGHTS.two_way > greedy_one_way


def test_topics_compare_ignoring_case_spacing_and_punctuation(session: Session, now: datetime) -> None:
    ana = candidate(session, "UANA", can_share=["public-speaking!"], want_to_grow=["Data  Modelling"])
    ben = candidate(session, "UBEN", can_share=["data modelling"], want_to_grow=["Public speaking"])

    result = scored(ana, ben, now)

    taught = [r.data["topics"] for r in result.reasons if r.code == ReasonCode.TEACHES]
    assert taught == [["public-speaking!"], ["data modelling"]]
    assert topic_key("Public   Speaking.") == topic_key("public-speaking") == "publicspeaking"


def test_different_teams_preferred_and_same_team_forbidden_when_set(session: Session, now: datetime) -> None:
    ana = candidate(session, "UANA", team_name="Payments")
    ben = candidate(session, "UBEN", team_name=" payments ")
    cal = candidate(session, "UCAL", team_name="Growth")

    same = scored(ana, ben, now)
    different = scored(ana, cal, now)

    assert different.score > same.score
    assert ReasonCode.SAME_TEAM in codes(same)
    assert ReasonCode.DIFFERENT_TEAMS in codes(different)
    assert score_pair(ana, ben, now=now, forbid_same_team=True) is None
    assert score_pair(ana, cal, now=now, forbid_same_team=True) is not None


def test_level_gaps_are_penalised_and_two_steps_cost_more_than_any_pair_earns(
    session: Session, now: datetime
) -> None:
    mid = candidate(session, "UMID", experience_level="mid")
    mid_too = candidate(session, "UMID2", experience_level="mid")
    senior = candidate(session, "USEN", experience_level="senior")
    early = candidate(session, "UEAR", experience_level="early")
    lead = candidate(session, "ULEA", experience_level="lead")

    same = scored(mid, mid_too, now).score
    one_step = scored(mid, senior, now).score
    two_steps = scored(early, senior, now).score
    three_steps = scored(early, lead, now).score

    assert same > one_step > two_steps > three_steps
    best_possible_without_level = (
        WEIGHTS.shared_goal * WEIGHTS.max_goals_counted
        + 2 * (WEIGHTS.teaches + WEIGHTS.teaches_extra * (WEIGHTS.max_topics_counted - 1))
        + WEIGHTS.two_way
        + WEIGHTS.same_function
        + WEIGHTS.shared_expertise * WEIGHTS.max_topics_counted
        + WEIGHTS.different_teams
        + WEIGHTS.different_backgrounds
    )
    assert WEIGHTS.distant_levels_per_step + best_possible_without_level < 0


def test_shared_goals_function_and_backgrounds_count(session: Session, now: datetime) -> None:
    ana = candidate(
        session,
        "UANA",
        career_goals=["Lead bigger projects"],
        function="data",
        background="Former secondary school teacher",
    )
    ben = candidate(
        session,
        "UBEN",
        career_goals=["lead bigger projects", "Prepare for a promotion"],
        function="data",
        background="Physics PhD, then a bank",
    )
    cal = candidate(session, "UCAL", function="data", background="Former primary school teacher")

    with_ben = codes(scored(ana, ben, now))
    with_cal = codes(scored(ana, cal, now))

    assert ReasonCode.SHARED_GOALS in with_ben
    assert ReasonCode.SAME_FUNCTION in with_ben
    assert ReasonCode.DIFFERENT_BACKGROUNDS in with_ben
    assert ReasonCode.DIFFERENT_BACKGROUNDS not in with_cal  # both teachers


def test_two_others_do_not_count_as_the_same_kind_of_work(session: Session, now: datetime) -> None:
    ana = candidate(session, "UANA", function="other")
    ben = candidate(session, "UBEN", function="other")

    assert ReasonCode.SAME_FUNCTION not in codes(scored(ana, ben, now))


def test_time_zones_with_little_shared_working_day_lower_the_score(session: Session, now: datetime) -> None:
    london = candidate(session, "ULON", tz="Europe/London")
    berlin = candidate(session, "UBER", tz="Europe/Berlin")
    new_york = candidate(session, "UNYC", tz="America/New_York")
    sydney = candidate(session, "USYD", tz="Australia/Sydney")

    near = scored(london, berlin, now)
    some = scored(london, new_york, now)
    none = scored(london, sydney, now)

    assert near.score > some.score > none.score
    hours = {r.code: r.data.get("hours") for r in none.reasons}
    assert hours[ReasonCode.FEW_SHARED_HOURS] == 0
    # On 4 March London is UTC+0 and New York UTC-5: 14:00-17:00 UTC is shared.
    assert (
        shared_working_hours(
            utc_offset_minutes("Europe/London", now), utc_offset_minutes("America/New_York", now)
        )
        == 3
    )


def test_an_unknown_time_zone_counts_as_utc(now: datetime) -> None:
    assert utc_offset_minutes("Mars/Olympus_Mons", now) == 0


def test_score_is_symmetric_and_the_sum_of_its_reasons(session: Session, now: datetime) -> None:
    ana = candidate(
        session,
        "UANA",
        can_share=["Public speaking", "SQL"],
        want_to_grow=["Data modelling"],
        career_goals=["Lead bigger projects"],
        team_name="Growth",
        tz="America/New_York",
    )
    ben = candidate(
        session,
        "UBEN",
        can_share=["Data modelling", "sql"],
        want_to_grow=["Public speaking"],
        career_goals=["Lead bigger projects"],
        experience_level="senior",
        team_name="Payments",
    )

    there, back = scored(ana, ben, now), scored(ben, ana, now)

    assert there.score == back.score == sum(reason.points for reason in there.reasons)


def test_nobody_is_paired_with_themselves(session: Session, now: datetime) -> None:
    ana = candidate(session, "UANA")

    assert score_pair(ana, ana, now=now, forbid_same_team=False) is None


def test_reasons_survive_a_round_trip_through_json(session: Session, now: datetime) -> None:
    ana = candidate(session, "UANA", can_share=["Public speaking"], want_to_grow=["Data modelling"])
    ben = candidate(session, "UBEN", can_share=["Data modelling"], want_to_grow=["Public speaking"])
    result = scored(ana, ben, now)

    restored = [Reason.from_json(reason.to_json()) for reason in result.reasons]

    assert restored == list(result.reasons)
    assert explain(restored) == explain(result.reasons)


# -- the explanation ---------------------------------------------------------------------------


def test_explanation_of_a_two_way_pair_in_different_teams(session: Session, now: datetime) -> None:
    ana = candidate(
        session, "UANA", can_share=["Public speaking"], want_to_grow=["Data modelling"], team_name="Growth"
    )
    ben = candidate(
        session, "UBEN", can_share=["Data modelling"], want_to_grow=["Public speaking"], team_name="Payments"
    )

    text = explain(scored(ana, ben, now).reasons)

    assert text == (
        "You are both mid-level. <@UANA> can help with public speaking, which <@UBEN> wants to grow, "
        "and <@UBEN>'s data modelling is on <@UANA>'s list. "
        "You work in different teams, so expect fresh angles."
    )


def test_explanation_never_claims_reciprocity_or_diversity_that_is_not_there(
    session: Session, now: datetime
) -> None:
    ana = candidate(session, "UANA", can_share=["Public speaking"], team_name="Growth")
    ben = candidate(
        session, "UBEN", want_to_grow=["Public speaking"], team_name="Growth", experience_level="senior"
    )

    text = explain(scored(ana, ben, now).reasons)

    assert "<@UANA> can help with public speaking, which <@UBEN> wants to grow." in text
    assert "list" not in text  # nothing flows back from Ben to Ana
    assert "different teams" not in text
    assert "different backgrounds" not in text
    assert "both" not in text  # neither level, function nor goals are shared


def test_explanation_speaks_of_time_zones_only_when_they_matter(session: Session, now: datetime) -> None:
    london = candidate(session, "ULON", tz="Europe/London")
    berlin = candidate(session, "UBER", tz="Europe/Berlin")
    sydney = candidate(session, "USYD", tz="Australia/Sydney")
    chicago = candidate(session, "UCHI", tz="America/Chicago")

    assert "hours" not in explain(scored(london, berlin, now).reasons)
    assert "barely overlap" in explain(scored(london, sydney, now).reasons)
    assert "only about 2 hours" in explain(scored(london, chicago, now).reasons)


def test_explanation_keeps_free_text_topics_as_typed(session: Session, now: datetime) -> None:
    ana = candidate(session, "UANA", can_share=["Kubernetes!"], career_goals=["Ship a side project"])
    ben = candidate(session, "UBEN", want_to_grow=["kubernetes"], career_goals=["ship a side project"])

    text = explain(scored(ana, ben, now).reasons)

    assert "<@UANA> can help with Kubernetes, which <@UBEN> wants to grow." in text
    assert "share the career goal “Ship a side project”" in text


@pytest.mark.parametrize(
    ("level", "phrase"),
    [("early", "early in your careers"), ("senior", "senior"), ("lead", "at lead or principal level")],
)
def test_explanation_names_the_shared_level(session: Session, now: datetime, level: str, phrase: str) -> None:
    ana = candidate(session, "UANA", experience_level=level)
    ben = candidate(session, "UBEN", experience_level=level)

    assert explain(scored(ana, ben, now).reasons).startswith(f"You are both {phrase}.")


def test_weights_are_quarter_points_so_pool_scores_stay_exact() -> None:
    # The pool-wide scorer adds in float32, which holds sums of quarter points exactly.
    for name, value in vars(WEIGHTS).items():
        assert float(value * 4).is_integer(), name


def test_typed_topics_in_the_explanation_cannot_inject_markup(session: Session, now: datetime) -> None:
    ana = candidate(
        session, "UANA", can_share=["<!channel> & <b>"], want_to_grow=["Data modelling"], team_name="Growth"
    )
    ben = candidate(
        session, "UBEN", can_share=["Data modelling"], want_to_grow=["<!channel> & <b>"], team_name="Payments"
    )

    text = explain(scored(ana, ben, now).reasons)

    assert "&lt;!channel&gt; &amp; &lt;b&gt;" in text
    assert "<!channel>" not in text
    assert "<@UANA>" in text and "<@UBEN>" in text  # the mentions stay live
