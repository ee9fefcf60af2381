"""The pool-wide scorer, the shortlist, the matching solver and the planner, without a database."""

from __future__ import annotations

import random
from datetime import datetime
from functools import partial

import pytest

from benchmarks.synthetic import synthetic_profiles
from bot.services.matching.planner import PER_PERSON, plan_pairs
from bot.services.matching.scoring import Candidate, score_pair
from bot.services.matching.shortlist import PoolScorer
from bot.services.matching.solver import best_pairs


def synthetic_pool(size: int, now: datetime, *, seed: int = 7) -> list[Candidate]:
    pool = [Candidate.from_profile(p) for p in synthetic_profiles(size, team_id="T1", now=now, seed=seed)]
    random.Random(seed).shuffle(pool)
    return pool


def total(edges: list[tuple[int, int, float]], pairs: list[tuple[int, int]]) -> float:
    score = {(i, j): s for i, j, s in edges}
    return sum(score[pair] for pair in pairs)


@pytest.mark.parametrize("forbid_same_team", [False, True])
def test_the_pool_scorer_agrees_with_score_pair_on_every_pair(now: datetime, forbid_same_team: bool) -> None:
    pool = synthetic_pool(120, now)
    scorer = PoolScorer(pool, now=now, forbid_same_team=forbid_same_team)

    for i, a in enumerate(pool):
        row = scorer.scores_of(i)
        for j, b in enumerate(pool):
            expected = score_pair(a, b, now=now, forbid_same_team=forbid_same_team)
            if expected is None:
                assert row[j] == float("-inf"), (a.user_id, b.user_id)
            else:
                assert row[j] == pytest.approx(expected.score, abs=1e-9), (a.user_id, b.user_id)


def test_the_shortlist_keeps_each_persons_best_and_skips_past_pairs(now: datetime) -> None:
    pool = synthetic_pool(60, now)
    scorer = PoolScorer(pool, now=now, forbid_same_team=False)
    best_of_0 = sorted(range(1, 60), key=lambda j: -scorer.scores_of(0)[j])[:5]
    past = {frozenset((0, j)) for j in best_of_0}

    edges = scorer.shortlist(per_person=5, is_past=lambda i, j: frozenset((i, j)) in past)

    neighbours_of_0 = {j if i == 0 else i for i, j, _ in edges if 0 in (i, j)}
    assert not neighbours_of_0 & set(best_of_0)
    assert len(neighbours_of_0) >= 5  # the next best took their place


def test_the_solver_prefers_more_pairs_then_more_score() -> None:
    # A path a-b-c-d: b-c alone scores most, but a-b + c-d gives everyone a peer.
    edges = [(0, 1, 1.0), (1, 2, 9.0), (2, 3, 1.0)]

    assert best_pairs(4, edges) == [(0, 1), (2, 3)]
    assert best_pairs(4, [(0, 1, 5.0), (0, 2, 1.0), (1, 3, 1.0), (2, 3, 6.0)]) == [(0, 1), (2, 3)]


def test_the_solver_matches_people_with_priority_first() -> None:
    # Three people: 0-1 is the best pair, but 2 has been waiting.
    edges = [(0, 1, 20.0), (0, 2, 1.0), (1, 2, -5.0)]

    assert best_pairs(3, edges) == [(0, 1)]
    assert best_pairs(3, edges, priority=[False, False, True]) == [(0, 2)]


def test_the_shortlisted_matching_is_within_half_a_percent_of_the_exact_optimum(now: datetime) -> None:
    pool = synthetic_pool(300, now)
    scorer = PoolScorer(pool, now=now, forbid_same_team=False)
    every_edge = scorer.shortlist(per_person=None, is_past=None)
    exact = total(every_edge, best_pairs(len(pool), every_edge))

    plan = plan_pairs(pool, now=now, forbid_same_team=False, odd_person="waitlist", is_past=None)

    assert len(plan.pairs) == 150
    assert sum(pair.score for pair in plan.pairs) >= 0.995 * exact
    assert len(pool) - 1 > PER_PERSON  # the shortlist really was a shortlist


def test_matching_each_level_on_its_own_stays_close_and_leaves_nobody_out(now: datetime) -> None:
    pool = synthetic_pool(301, now)
    plan = partial(plan_pairs, pool, now=now, forbid_same_team=False, odd_person="waitlist", is_past=None)

    whole = plan()
    split = plan(split_above=50)

    assert len(split.pairs) == len(whole.pairs) == 150
    assert len(split.leftovers) == 1
    assert sum(p.score for p in split.pairs) >= 0.99 * sum(p.score for p in whole.pairs)
    users = [user for pair in split.pairs for user in pair.user_ids]
    assert len(users) == len(set(users)) == 300


def test_the_plan_is_the_same_for_the_same_order_of_the_pool(now: datetime) -> None:
    pool = synthetic_pool(200, now)
    plan = partial(plan_pairs, now=now, forbid_same_team=True, odd_person="trio", is_past=None)

    assert plan(pool) == plan(list(pool))


def test_every_planned_pair_is_allowed(now: datetime) -> None:
    pool = synthetic_pool(150, now)
    by_id = {c.user_id: c for c in pool}
    past = {frozenset((pool[i].user_id, pool[i + 1].user_id)) for i in range(0, 150, 2)}

    plan = plan_pairs(
        pool,
        now=now,
        forbid_same_team=True,
        odd_person="trio",
        is_past=lambda a, b: frozenset((a, b)) in past,
    )

    for pair in plan.pairs:
        for k, a in enumerate(pair.user_ids):
            for b in pair.user_ids[k + 1 :]:
                assert frozenset((a, b)) not in past
                assert score_pair(by_id[a], by_id[b], now=now, forbid_same_team=True) is not None
