"""From a pool of candidates to pairs, trios and the people left over. No database here.

Steps: shortlist each person's best candidates (`PoolScorer`), solve a maximum-weight
matching on that graph (`best_pairs`), then place whoever is left over: into the pair that
suits them best as a third (when the program says "trio"), or on the waitlist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import numpy as np

from bot.services.matching.scoring import Candidate, PairScore, Reason, score_pair
from bot.services.matching.shortlist import Edge, PoolScorer
from bot.services.matching.solver import best_pairs

OddPerson = Literal["trio", "waitlist"]

# Candidates kept per person (the K of a top-K shortlist). `python -m benchmarks.matching
# --k-sweep`: the plan's total against the exact optimum was 1.0000 at 200 and 1,000 people
# with K=12 (0.9997 with K=8, 0.993 with K=3), and 0.9996 at 5,000 and 10,000 against a
# whole-pool solve with K=30; going from K=12 to K=20 adds about a fifth to the plan's time
# for under 0.0003 of score.
PER_PERSON = 12
# Above this many people, each experience level is matched on its own, then whoever is left
# is matched across levels. The same-level bonus makes the best pairs same-level almost
# always, so this halves the solve at 5,000 people and cuts it from ~16 s to ~2 s at 10,000,
# for 0.02% of total score at 5,000 (0.15-0.2% at 1,000-2,000, which stay in one solve).
SPLIT_ABOVE = 3000


@dataclass(frozen=True)
class PlannedPair:
    """Two people, or three for a trio; the third is last. Score: mean of their pairwise scores."""

    user_ids: tuple[str, ...]
    score: float
    reasons: tuple[Reason, ...]


LeftoverReason = Literal["odd_one_out", "no_new_partner"]


@dataclass(frozen=True)
class Leftover:
    """Someone the matching could not pair, and what happens to them this round."""

    user_id: str
    outcome: Literal["trio", "waitlist"]
    # "odd_one_out": everyone who could be their peer was taken; "no_new_partner": nobody
    # in the pool may be paired with them (all past peers, or all in their team).
    reason: LeftoverReason
    trio_with: tuple[str, str] | None = None


@dataclass(frozen=True)
class Plan:
    pairs: tuple[PlannedPair, ...]
    leftovers: tuple[Leftover, ...]


def plan_pairs(
    candidates: Sequence[Candidate],
    *,
    now: datetime,
    forbid_same_team: bool,
    odd_person: OddPerson,
    is_past: Callable[[str, str], bool] | None,
    per_person: int | None = PER_PERSON,
    split_above: int = SPLIT_ABOVE,
) -> Plan:
    """Pairs for `candidates`, in the order given (the round shuffles it by seed first).

    `is_past(user_a, user_b)` says whether two people were ever paired (None: nobody in the
    pool ever was); they never are again. People marked `waitlisted` are matched first.
    """
    if not candidates:
        return Plan((), ())
    scorer = PoolScorer(candidates, now=now, forbid_same_team=forbid_same_team)
    past = _by_index(candidates, is_past)
    priority = [c.waitlisted for c in candidates]
    everyone = list(range(len(candidates)))

    if len(candidates) <= split_above:
        matched = _match_among(everyone, scorer, past, priority, per_person)
    else:
        matched = []
        for rank in sorted({c.level_rank for c in candidates}):
            level = [i for i in everyone if candidates[i].level_rank == rank]
            matched += _match_among(level, scorer, past, priority, per_person)
        taken = {i for pair in matched for i in pair}
        matched += _match_among([i for i in everyone if i not in taken], scorer, past, priority, per_person)

    def score(i: int, j: int) -> PairScore:
        scored = score_pair(candidates[i], candidates[j], now=now, forbid_same_team=forbid_same_team)
        if scored is None:
            raise RuntimeError(
                f"bug: matched a forbidden pair {candidates[i].user_id}, {candidates[j].user_id}"
            )
        return scored

    groups = [list(pair) for pair in matched]
    scores = [[score(i, j)] for i, j in matched]
    taken = {i for pair in matched for i in pair}
    leftovers: list[Leftover] = []
    # The waitlisted pick their trio first, then everyone else in pool order.
    for i in sorted((i for i in everyone if i not in taken), key=lambda i: not priority[i]):
        row = scorer.scores_of(i)
        reason: LeftoverReason = "odd_one_out" if _has_new_partner(i, row, past) else "no_new_partner"
        host = _best_trio(i, row, groups, past) if odd_person == "trio" else None
        if host is None:
            leftovers.append(Leftover(candidates[i].user_id, "waitlist", reason))
            continue
        first, second = groups[host]
        groups[host].append(i)
        scores[host] += [score(first, i), score(second, i)]
        trio_with = (candidates[first].user_id, candidates[second].user_id)
        leftovers.append(Leftover(candidates[i].user_id, "trio", reason, trio_with))

    planned = [
        PlannedPair(
            user_ids=tuple(candidates[i].user_id for i in group),
            score=sum(s.score for s in group_scores) / len(group_scores),
            reasons=tuple(reason for s in group_scores for reason in s.reasons),
        )
        for group, group_scores in zip(groups, scores, strict=True)
    ]
    planned.sort(key=lambda pair: (-pair.score, pair.user_ids))
    return Plan(tuple(planned), tuple(leftovers))


def _by_index(
    candidates: Sequence[Candidate], is_past: Callable[[str, str], bool] | None
) -> Callable[[int, int], bool] | None:
    if is_past is None:
        return None
    has_met = is_past
    return lambda i, j: has_met(candidates[i].user_id, candidates[j].user_id)


def _match_among(
    people: list[int],
    scorer: PoolScorer,
    past: Callable[[int, int], bool] | None,
    priority: Sequence[bool],
    per_person: int | None,
) -> list[tuple[int, int]]:
    edges = scorer.shortlist(per_person=per_person, is_past=past, among=people)
    local = {person: index for index, person in enumerate(people)}
    local_edges: list[Edge] = [(local[i], local[j], score) for i, j, score in edges]
    pairs = best_pairs(len(people), local_edges, priority=[priority[i] for i in people])
    return [(people[i], people[j]) for i, j in pairs]


def _has_new_partner(i: int, row: np.ndarray, past: Callable[[int, int], bool] | None) -> bool:
    allowed = np.flatnonzero(np.isfinite(row)).tolist()
    return any(past is None or not past(i, j) for j in allowed)


def _best_trio(
    i: int, row: np.ndarray, members: list[list[int]], past: Callable[[int, int], bool] | None
) -> int | None:
    """The pair (index into `members`) where i fits best as a third, if any allows it.

    Best = the highest sum of i's scores with both; both must be allowed and new to i.
    """
    if not members:
        return None
    first = np.array([group[0] for group in members])
    second = np.array([group[1] for group in members])
    fit = row[first] + row[second]
    fit[[len(group) > 2 for group in members]] = -np.inf  # a trio stays a trio
    for host in np.lexsort((np.arange(len(members)), -fit)).tolist():
        if not np.isfinite(fit[host]):
            return None
        if past is None or not (past(i, members[host][0]) or past(i, members[host][1])):
            return host
    return None
