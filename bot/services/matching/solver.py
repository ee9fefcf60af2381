"""Maximum-weight matching on the general graph of allowed pairs, with a maintained library.

Library: rustworkx `max_weight_matching` (a Rust port of the blossom algorithm). Measured
on this 2-core machine against networkx 3.6.1 `max_weight_matching`, both with maximum
cardinality on the same shortlisted graphs of synthetic pools (`python -m
benchmarks.matching --libraries`); both always found the same total:

    people    edges   rustworkx   networkx
       200    1,582     0.002 s     0.15 s
     1,000    8,650     0.035 s     2.2 s
     2,000   17,885     0.16 s     10.5 s
     5,000   76,606     1.8 s     113 s      (20 candidates per person)

networkx is pure Python and 60-70x slower, so rustworkx it is. It wants integer weights:
scores are kept to the hundredth of a point. Even rustworkx grows faster than n^2 here (one
solve over 10,000 people took 16 s), which is why the planner splits very large pools.
"""

from __future__ import annotations

from collections.abc import Sequence

import rustworkx as rx

from bot.services.matching.shortlist import Edge

# Scores are kept to the hundredth of a point when turned into the library's integers.
_SCALE = 100


def best_pairs(
    node_count: int, edges: Sequence[Edge], *, priority: Sequence[bool] = ()
) -> list[tuple[int, int]]:
    """The pairs of a maximum-weight matching among the maximum-cardinality ones.

    Cardinality comes first so nobody sits a round out while a valid pair exists for them
    (the heavy penalties in the score keep poor pairs for when there is no other choice).
    `priority[i]` marks people waiting since an earlier round: a matching with more of them
    in it always wins, whatever the scores, so "first in line" is a promise and not a bonus.
    Pure function of its input, so the same edges in the same order give the same pairs.
    """
    if not edges:
        return []
    scaled = [round(score * _SCALE) for _, _, score in edges]
    lowest = min(scaled)
    # Positive, and every maximum-cardinality matching gains the same shift: same optimum.
    weights = [value - lowest + 1 for value in scaled]
    if any(priority):
        # More than any matching can gain from scores alone.
        first_in_line = (node_count // 2 + 1) * max(weights)
        weights = [
            weight + first_in_line * (priority[i] + priority[j])
            for weight, (i, j, _) in zip(weights, edges, strict=True)
        ]
    graph = rx.PyGraph()
    graph.add_nodes_from(range(node_count))
    graph.add_edges_from([(i, j, weight) for (i, j, _), weight in zip(edges, weights, strict=True)])
    matching = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=_weight)
    return sorted((min(i, j), max(i, j)) for i, j in matching)


def _weight(weight: int) -> int:
    return weight
