"""Synthetic but realistic participant profiles for the matching benchmark.

Skews follow what a mid-sized company looks like: most people mid-level, engineering the
biggest function, a few topics everybody wants (public speaking, system design) and a long
tail, about twenty teams of uneven size, people spread over a handful of time zones, some
free-text topics and backgrounds typed in people's own words.
"""

from __future__ import annotations

import random
from datetime import datetime

from bot.models import Profile
from bot.services.options import CAREER_GOALS, FREQUENCIES, MEETING_WAYS, TOPICS

LEVELS = {"early": 0.25, "mid": 0.40, "senior": 0.25, "lead": 0.10}
FUNCTION_SHARE = {
    "engineering": 0.32,
    "data": 0.10,
    "product": 0.09,
    "design": 0.07,
    "research": 0.03,
    "marketing": 0.07,
    "sales": 0.08,
    "customer_success_and_support": 0.08,
    "operations": 0.05,
    "finance": 0.04,
    "people_and_hr": 0.04,
    "legal": 0.01,
    "other": 0.02,
}
TEAMS = [
    "Payments", "Growth", "Platform", "Mobile", "Search", "Data Platform", "Insights",
    "Brand", "Demand Gen", "EMEA Sales", "Americas Sales", "Support Tier 2", "Onboarding",
    "Finance Ops", "Talent", "Legal & Compliance", "Security", "Design Systems", "Checkout",
    "Infrastructure",
]  # fmt: skip
ZONES = {
    "Europe/London": 0.22,
    "Europe/Berlin": 0.16,
    "America/New_York": 0.20,
    "America/Chicago": 0.06,
    "America/Los_Angeles": 0.14,
    "America/Sao_Paulo": 0.04,
    "Asia/Kolkata": 0.10,
    "Asia/Singapore": 0.04,
    "Australia/Sydney": 0.04,
}
BACKGROUNDS = [
    "Former secondary school teacher, moved into tech through a bootcamp",
    "Physics PhD, then quantitative research at a bank",
    "Self-taught; started in retail management",
    "Military veteran, logistics officer",
    "Came from agency design work",
    "Studied law, switched to product",
    "Journalism degree, wrote for a local newspaper",
    "Nursing, then healthcare operations",
    "Computer science degree, first job at a startup",
    "Ran my own small business for five years",
    "Musician and sound engineer before software",
    "Economics graduate, started in consulting",
]
FREE_TEXT_TOPICS = ["Kubernetes", "kubernetes!", "GraphQL", "Rust", "Public Speaking.", "OKRs"]


def synthetic_profiles(
    count: int, *, team_id: str, now: datetime, seed: int = 7, id_prefix: str = "U"
) -> list[Profile]:
    """`count` unsaved Profile rows for workspace `team_id`, the same for the same seed."""
    rng = random.Random(seed)
    topic_labels = [choice.label for choice in TOPICS]
    # Zipf-like popularity: the first topics in a shuffled order are wanted far more often.
    rng.shuffle(topic_labels)
    popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(topic_labels))]
    goal_labels = [choice.label for choice in CAREER_GOALS]
    goal_popularity = [1 / (rank + 1) ** 0.6 for rank in range(len(goal_labels))]
    team_weights = [1 / (rank + 1) ** 0.5 for rank in range(len(TEAMS))]
    profiles = []
    for number in range(count):
        can_share = _sample(rng, topic_labels, popularity, rng.randint(2, 5))
        want_to_grow = _sample(
            rng, [t for t in topic_labels if t not in can_share], popularity, rng.randint(2, 5)
        )
        if rng.random() < 0.1:
            (can_share if rng.random() < 0.5 else want_to_grow).append(
                rng.choice(FREE_TEXT_TOPICS) if rng.random() < 0.7 else f"Niche topic {number}"
            )
        profiles.append(
            Profile(
                team_id=team_id,
                user_id=f"{id_prefix}{number:06d}",
                can_share=can_share,
                want_to_grow=want_to_grow,
                career_goals=_sample(rng, goal_labels, goal_popularity, rng.randint(1, 3)),
                experience_level=_weighted(rng, LEVELS),
                function=_weighted(rng, FUNCTION_SHARE),
                team_name=rng.choices(TEAMS, team_weights)[0],
                background=rng.choice(BACKGROUNDS) if rng.random() < 0.6 else "",
                meeting_ways=_sample(rng, [w.value for w in MEETING_WAYS], [1, 1, 1], 2),
                frequency=rng.choice(FREQUENCIES).value,
                feedback_commitment=True,
                tz=_weighted(rng, ZONES),
                paused=False,
                paused_until=None,
                joined_at=now,
                updated_at=now,
            )
        )
    return profiles


def _weighted(rng: random.Random, shares: dict[str, float]) -> str:
    return rng.choices(list(shares), list(shares.values()))[0]


def _sample(rng: random.Random, items: list[str], weights: list[float], count: int) -> list[str]:
    chosen: list[str] = []
    pool, pool_weights = list(items), list(weights[: len(items)])
    while pool and len(chosen) < count:
        index = rng.choices(range(len(pool)), pool_weights)[0]
        chosen.append(pool.pop(index))
        pool_weights.pop(index)
    return chosen
