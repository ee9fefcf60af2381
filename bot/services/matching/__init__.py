"""Matching rounds: who is paired with whom, why, and never the same pair twice.

`rounds` previews and runs a round, `pairs` looks up and ends a person's pair; `scoring`,
`explain`, `shortlist`, `solver` and `planner` are the steps in between.
"""

from bot.services.matching.pairs import (
    END_REASONS,
    EndedPair,
    PairView,
    active_pair_member_ids,
    current_pair,
    end_pair,
    remove_from_waitlist,
)
from bot.services.matching.planner import Leftover
from bot.services.matching.rounds import (
    CreatedPair,
    RoundPair,
    RoundPlan,
    RoundResult,
    new_seed,
    preview_round,
    run_round,
)

__all__ = [
    "END_REASONS",
    "CreatedPair",
    "EndedPair",
    "Leftover",
    "PairView",
    "RoundPair",
    "RoundPlan",
    "RoundResult",
    "active_pair_member_ids",
    "current_pair",
    "end_pair",
    "new_seed",
    "preview_round",
    "remove_from_waitlist",
    "run_round",
]
