"""Thousands of active pairs with agreed ground rules, inserted in bulk.

Used by the worker benchmark and the crash test, where creating each pair through the
ground-rules service (propose, agree) would take longer than the thing being measured. The
rows are exactly those the services create; tests/pair_factories.py makes pairs the slow,
service-driven way for everything else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.models import (
    MatchRound,
    Pair,
    PairMember,
    Profile,
    ProgramSettings,
    Recipient,
    RulesAgreement,
    RulesProposal,
    Workspace,
)


def seed_active_pairs(
    session: Session,
    *,
    team_id: str,
    pairs: Sequence[tuple[str, str]],
    agreed_at: datetime,
    frequency: str = "weekly",
    tz: Callable[[str], str] = lambda _user: "Europe/London",
    verified_at: datetime | None = None,
    all_hours: bool = False,
) -> list[int]:
    """Store `pairs` as active pairs whose weekly (or other) rules were agreed at `agreed_at`.

    `verified_at` records everyone as checked on Slack at that time (a steady state: the
    directory sweep already ran). `all_hours` makes the whole week working time.
    """
    if session.get(Workspace, team_id) is None:
        session.add(Workspace(team_id=team_id, created_at=agreed_at))
        session.flush()
    if all_hours:
        session.merge(
            ProgramSettings(
                team_id=team_id,
                round_cadence="off",
                next_round_at=None,
                odd_person="trio",
                forbid_same_team=False,
                default_frequency=frequency,
                work_start_hour=0,
                work_end_hour=24,
                quiet_days=[],
                privacy_threshold=5,
                manager_ids=[],
                updated_at=agreed_at,
            )
        )
    people = [user for pair in pairs for user in pair]
    session.execute(insert(Profile), [_profile(team_id, user, tz(user), agreed_at) for user in people])
    match_round = MatchRound(
        team_id=team_id,
        started_at=agreed_at,
        seed=1,
        trigger="admin",
        odd_person="trio",
        eligible_count=len(people),
        pair_count=len(pairs),
        trio_count=0,
        waitlisted_count=0,
    )
    session.add(match_round)
    session.flush()
    pair_ids = list(
        session.scalars(
            insert(Pair).returning(Pair.id, sort_by_parameter_order=True),
            [
                {
                    "team_id": team_id,
                    "round_id": match_round.id,
                    "created_at": agreed_at,
                    "status": "active",
                    "score": 1.0,
                    "reasons": [],
                }
                for _ in pairs
            ],
        )
    )
    session.execute(
        insert(PairMember),
        [
            {"pair_id": pair_id, "team_id": team_id, "user_id": user}
            for pair_id, pair in zip(pair_ids, pairs, strict=True)
            for user in pair
        ],
    )
    proposal_ids = list(
        session.scalars(
            insert(RulesProposal).returning(RulesProposal.id, sort_by_parameter_order=True),
            [
                _rules(team_id, pair_id, pair[0], frequency, agreed_at)
                for pair_id, pair in zip(pair_ids, pairs, strict=True)
            ],
        )
    )
    session.execute(
        insert(RulesAgreement),
        [
            {"team_id": team_id, "proposal_id": proposal_id, "user_id": user, "agreed_at": agreed_at}
            for proposal_id, pair in zip(proposal_ids, pairs, strict=True)
            for user in pair
        ],
    )
    if verified_at is not None:
        session.execute(
            insert(Recipient),
            [{"team_id": team_id, "user_id": user, "verified_at": verified_at} for user in people],
        )
    session.flush()
    return pair_ids


def _profile(team_id: str, user_id: str, tz: str, now: datetime) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "user_id": user_id,
        "can_share": ["Public speaking"],
        "want_to_grow": ["Negotiation"],
        "career_goals": [],
        "experience_level": "mid",
        "function": "engineering",
        "team_name": "Payments",
        "background": "",
        "meeting_ways": ["video"],
        "frequency": "weekly",
        "feedback_commitment": True,
        "tz": tz,
        "paused": False,
        "paused_until": None,
        "joined_at": now,
        "updated_at": now,
    }


def _rules(team_id: str, pair_id: int, proposer: str, frequency: str, now: datetime) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "pair_id": pair_id,
        "version": 1,
        "proposed_by": proposer,
        "proposed_at": now,
        "status": "agreed",
        "agreed_at": now,
        "frequency": frequency,
        "meeting_ways": ["video"],
        "confidential": True,
        "confidentiality_exceptions": "",
        "off_limits": "",
        "feedback_commitment": True,
        "respect_commitment": True,
        "member_goals": {},
    }
