"""Each person's best candidates, scored for a whole pool at once.

Scoring every possible pair one at a time in Python takes minutes for 10,000 people (50
million pairs), so this applies `score_pair`'s rules to blocks of rows with numpy and keeps
only each person's best candidates. It returns numbers only: the round asks `score_pair`
for the reasons of the pairs it keeps, and a test checks that both agree on every score.

How a block is scored: everything a pair's score depends on, apart from levels and time
zones, is a handful of small counts and flags (shared goals, topics each can teach the
other, shared expertise, team, function, background). Those are computed with bit sets and
packed into one small integer per pair, which indexes a table of points built with the very
functions `score_pair` uses. Levels and time zones come from a per-(level, zone) row of
points. No floating-point maths happens per pair beyond one lookup and one addition, and
float32 holds every total exactly (all weights are quarter points). Bit sets rather than
matrix products, because BLAS's threads ran ten times slower on a busy two-core machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from bot.services.matching.scoring import (
    BACKGROUND_SIMILAR_ONE_IN,
    FUNCTION_WITHOUT_MEANING,
    WEIGHTS,
    Candidate,
    expertise_points,
    goal_points,
    hours_points,
    level_points,
    shared_working_hours,
    teaching_points,
    utc_offset_minutes,
)

Edge = tuple[int, int, float]  # (i, j, score) with i < j, indices into the candidate list

# Rows scored per numpy block: enough to amortise Python overhead, few enough that a
# block's temporaries stay at a few megabytes each at 10,000 people.
_BLOCK_ROWS = 128
# Extra candidates looked at per person, so that skipping past pairings rarely needs a
# second, slower look at the whole row.
_SPARE = 8
# Columns sampled per row to set the threshold for "among the best", and how many times the
# needed number of columns that threshold aims to let through.
_SAMPLE_COLUMNS = 512
_SAMPLE_MARGIN = 3

Floats = npt.NDArray[np.float32]
Ints = npt.NDArray[np.int64]
Bits = npt.NDArray[np.uint64]  # word x person: a set of up to 64 items per word
Small = npt.NDArray[np.uint8]

# The packed per-pair code: each factor's number of values, in packing order.
_GOALS = WEIGHTS.max_goals_counted + 1
_TOPICS = WEIGHTS.max_topics_counted + 1
_TEAM_UNKNOWN, _TEAM_DIFFERENT, _TEAM_SAME = 0, 1, 2
_FACTORS = (_GOALS, _TOPICS, _TOPICS, _TOPICS, 3, 2, 2)  # goals, gives, gets, expertise, team,
# same function, different backgrounds


@dataclass(frozen=True)
class _Pool:
    """The pool as arrays, one entry per candidate in the round's (seeded) order."""

    goals: Bits
    share: Bits  # topics they can share
    grow: Bits  # topics they want to grow
    function: Ints  # distinct negative codes where it says nothing ("Other")
    team: Ints  # -1 where no team was given
    background: npt.NDArray[np.uint64]
    background_words: npt.NDArray[np.int16]  # bits set in `background`; -128 when empty
    level_zone: Ints  # index into `level_zone_rows`
    level_zone_rows: Floats  # (level, zone) x person: level points + working-hours points

    def take(self, people: Ints) -> _Pool:
        """The same arrays for a subset of the people."""
        return _Pool(
            goals=self.goals[:, people],
            share=self.share[:, people],
            grow=self.grow[:, people],
            function=self.function[people],
            team=self.team[people],
            background=self.background[people],
            background_words=self.background_words[people],
            level_zone=self.level_zone[people],
            level_zone_rows=self.level_zone_rows[:, people],
        )


class PoolScorer:
    """`score_pair`'s rules for a whole pool at once (numbers only, no reasons)."""

    def __init__(self, candidates: Sequence[Candidate], *, now: datetime, forbid_same_team: bool) -> None:
        self.size = len(candidates)
        self._pool = _arrays(candidates, now=now)
        self._points = _points_table(forbid_same_team=forbid_same_team)

    def scores_of(self, i: int) -> Floats:
        """Candidate i's score with everyone in the pool, -inf where not allowed."""
        return _score_block(self._pool, np.array([i], dtype=np.int64), self._points)[0]

    def shortlist(
        self,
        *,
        per_person: int | None,
        is_past: Callable[[int, int], bool] | None,
        among: Sequence[int] | None = None,
    ) -> list[Edge]:
        """Allowed edges where one end is among the other's `per_person` best (None: all).

        Only people listed in `among` (ascending indices; default everyone) are considered.
        `is_past(i, j)` says whether candidates i and j were ever paired (None: nobody was):
        those edges are skipped and the next best taken, so everyone keeps a full list.
        Ties go to the candidate earlier in the pool, which the round put in a seeded order.
        """
        people = np.arange(self.size) if among is None else np.asarray(among, dtype=np.int64)
        n = len(people)
        if n < 2:
            return []
        pool = self._pool if among is None else self._pool.take(people)
        keep = n - 1 if per_person is None else max(1, min(per_person, n - 1))
        looked = min(keep + _SPARE, n - 1)
        edges: dict[tuple[int, int], float] = {}
        for start in range(0, n, _BLOCK_ROWS):
            rows = np.arange(start, min(start + _BLOCK_ROWS, n), dtype=np.int64)
            block = _score_block(pool, rows, self._points)
            for r, (columns, scores) in enumerate(_best_columns(block, looked)):
                i = int(people[rows[r]])
                picks = _walk(i, people[columns], scores, keep, is_past)
                if len(picks) < keep and len(columns) < n:
                    # Past pairings hid some of the best: look along the whole row.
                    picks = _walk(i, people, block[r], keep, is_past)
                for j, score in picks:
                    edges[(i, j) if i < j else (j, i)] = score
        return [(i, j, score) for (i, j), score in sorted(edges.items())]


def _best_columns(block: Floats, looked: int) -> list[tuple[Ints, Floats]]:
    """Per row, the columns (and scores) of at least its `looked` best, ties included.

    A full sort or partition of every row costs more than scoring it, so a threshold is
    taken from a sample of the columns, set so that a few times `looked` pass it; whatever
    passes is exact (everything above the `looked`-th best is in). A row where too few pass
    is partitioned in full.
    """
    rows, n = block.shape
    sample = block[:, :: max(1, n // _SAMPLE_COLUMNS)]
    width = sample.shape[1]
    wanted = min(width, -(-_SAMPLE_MARGIN * looked * width // n))
    threshold = np.partition(sample, width - wanted, axis=1)[:, width - wanted]
    row_of, column_of = np.nonzero(block >= threshold[:, None])
    ends = np.cumsum(np.bincount(row_of, minlength=rows))
    best: list[tuple[Ints, Floats]] = []
    for r in range(rows):
        columns = column_of[(ends[r - 1] if r else 0) : ends[r]]
        if len(columns) < looked:
            columns = np.argpartition(block[r], n - looked)[n - looked :]
        best.append((columns, block[r, columns]))
    return best


def _walk(
    i: int, columns: Ints, scores: Floats, keep: int, is_past: Callable[[int, int], bool] | None
) -> list[tuple[int, float]]:
    """Up to `keep` allowed (column, score), best first, ties to the lower column."""
    order = np.lexsort((columns, -scores))
    picks: list[tuple[int, float]] = []
    for j, score in zip(columns[order].tolist(), scores[order].tolist(), strict=True):
        if score == -np.inf:
            break  # sorted: only forbidden ones follow
        if is_past is None or not is_past(i, j):
            picks.append((j, score))
            if len(picks) == keep:
                break
    return picks


def _score_block(pool: _Pool, rows: Ints, points: Floats) -> Floats:
    """Scores of `rows` against everyone in `pool`, -inf where a pair is not allowed."""
    goals = _shared(pool.goals[:, rows], pool.goals, _GOALS - 1)
    gives = _shared(pool.share[:, rows], pool.grow, _TOPICS - 1)
    gets = _shared(pool.grow[:, rows], pool.share, _TOPICS - 1)
    expertise = _shared(pool.share[:, rows], pool.share, _TOPICS - 1)

    team = pool.team[rows, None]
    known = (team >= 0) & (pool.team[None, :] >= 0)
    team_state = known.view(np.uint8) + (known & (team == pool.team[None, :])).view(np.uint8)

    same_function = pool.function[rows, None] == pool.function[None, :]

    # shared * ONE_IN <= together, where together = mine + theirs - shared; an empty
    # background's word count is negative, so it never "differs".
    shared_words = np.bitwise_count(pool.background[rows, None] & pool.background[None, :])
    words = pool.background_words[rows, None] + pool.background_words[None, :]
    different_backgrounds = shared_words.astype(np.int16) * (BACKGROUND_SIMILAR_ONE_IN + 1) <= words

    code = np.zeros(goals.shape, dtype=np.uint16)
    for factor, size in zip(
        (goals, gives, gets, expertise, team_state, same_function, different_backgrounds),
        _FACTORS,
        strict=True,
    ):
        code *= np.uint16(size)
        code += factor
    score = points[code]
    score += pool.level_zone_rows[pool.level_zone[rows]]
    score[np.arange(len(rows)), rows] = -np.inf  # nobody is paired with themselves
    return score


def _shared(mine: Bits, theirs: Bits, cap: int) -> Small:
    """How many items each of `mine` shares with each of `theirs`, capped (rows x people)."""
    count = np.bitwise_count(mine[0][:, None] & theirs[0][None, :])
    for word in range(1, len(mine)):
        count += np.bitwise_count(mine[word][:, None] & theirs[word][None, :])
    return np.minimum(count, np.uint8(cap), out=count)


def _points_table(*, forbid_same_team: bool) -> Floats:
    """Points for every packed code, from the same functions `score_pair` uses."""
    w = WEIGHTS
    team_points = {_TEAM_UNKNOWN: 0.0, _TEAM_DIFFERENT: w.different_teams, _TEAM_SAME: w.same_team}
    if forbid_same_team:
        team_points[_TEAM_SAME] = -np.inf
    table = np.zeros(_FACTORS, dtype=np.float32)
    for (goals, gives, gets, expertise, team, function, background), _ in np.ndenumerate(table):
        table[goals, gives, gets, expertise, team, function, background] = (
            goal_points(goals)
            + teaching_points(gives)
            + teaching_points(gets)
            + (w.two_way if gives and gets else 0.0)
            + expertise_points(expertise)
            + team_points[team]
            + (w.same_function if function else 0.0)
            + (w.different_backgrounds if background else 0.0)
        )
    return table.ravel()


def _arrays(candidates: Sequence[Candidate], *, now: datetime) -> _Pool:
    ranks = np.array([c.level_rank for c in candidates], dtype=np.int64)
    offsets = [utc_offset_minutes(c.tz, now) for c in candidates]
    zones = sorted(set(offsets))
    zone = np.array([zones.index(offset) for offset in offsets], dtype=np.int64)
    kinds = sorted(set(zip(ranks.tolist(), zone.tolist(), strict=True)))
    kind_of = {kind: index for index, kind in enumerate(kinds)}
    # Points by level gap and by pair of zones, looked up for each (level, zone) against everyone.
    by_gap = np.array([level_points(gap) for gap in range(int(ranks.max()) + 1)], dtype=np.float32)
    by_zones = np.array(
        [[hours_points(shared_working_hours(mine, theirs)) for theirs in zones] for mine in zones],
        dtype=np.float32,
    )
    level_zone_rows = np.array(
        [by_gap[np.abs(rank - ranks)] + by_zones[mine, zone] for rank, mine in kinds], dtype=np.float32
    )
    shares = [list(c.can_share) for c in candidates]
    grows = [list(c.want_to_grow) for c in candidates]
    # Only a topic someone can share, and a second person has too, can ever score; dropping
    # the rest keeps people's one-off free-text topics from widening the bit sets.
    topics = _seen_twice(shares + grows, offered=shares)
    goal_lists = [list(c.career_goals) for c in candidates]
    return _Pool(
        goals=_bits(goal_lists, _seen_twice(goal_lists)),
        share=_bits(shares, topics),
        grow=_bits(grows, topics),
        function=_function_codes(candidates),
        team=_codes(c.team_key for c in candidates),
        background=np.array([c.background_words for c in candidates], dtype=np.uint64),
        background_words=np.array(
            [c.background_words.bit_count() or -128 for c in candidates], dtype=np.int16
        ),
        level_zone=np.array(
            [kind_of[kind] for kind in zip(ranks.tolist(), zone.tolist(), strict=True)], dtype=np.int64
        ),
        level_zone_rows=level_zone_rows,
    )


def _function_codes(candidates: Sequence[Candidate]) -> Ints:
    """A code per function; everyone who said "Other" gets one of their own, matching nobody."""
    index: dict[str, int] = {}
    return np.array(
        [
            -1 - person
            if c.function == FUNCTION_WITHOUT_MEANING
            else index.setdefault(c.function, len(index))
            for person, c in enumerate(candidates)
        ],
        dtype=np.int64,
    )


def _codes(keys: Iterable[str]) -> Ints:
    """A small integer per distinct non-empty key, -1 for an empty one."""
    index: dict[str, int] = {}
    return np.array([index.setdefault(key, len(index)) if key else -1 for key in keys], dtype=np.int64)


def _seen_twice(key_lists: list[list[str]], *, offered: list[list[str]] | None = None) -> list[str]:
    counts: dict[str, int] = {}
    for keys in key_lists:
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    allowed = None if offered is None else {key for keys in offered for key in keys}
    return sorted(key for key, count in counts.items() if count >= 2 and (allowed is None or key in allowed))


def _bits(key_lists: list[list[str]], items: list[str]) -> Bits:
    """word x person bit sets of which `items` each person has."""
    position = {item: index for index, item in enumerate(items)}
    bits = np.zeros((max(1, -(-len(items) // 64)), len(key_lists)), dtype=np.uint64)
    for person, keys in enumerate(key_lists):
        for key in keys:
            index = position.get(key)
            if index is not None:
                bits[index // 64, person] |= np.uint64(1) << np.uint64(index % 64)
    return bits
