"""Matching rounds: preview who would be paired, then run the round and store the pairs.

Who takes part: everyone with a profile in the workspace who is not paused (a pause whose
end date has passed counts as over) and not in an active pair. The pool is sorted by user
id and shuffled with the round's seed; every tie after that goes to whoever comes first,
so the same seed and the same pool give the same plan, and a preview and the run that
follows agree.

The odd person out: with "trio" they join the pair they fit best (allowed with both, never
a past peer of either); otherwise, or when no pair can take them, they go on the waitlist.
People on the waitlist are matched first next round: the solver treats a matching with more
of them in it as better whatever the scores (see `solver.best_pairs`).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from bot.models import MatchRound, Pair, PairMember, PastPairing, Profile, Waitlist, Workspace
from bot.services.matching.explain import explain
from bot.services.matching.history import pair_key, past_pair_keys, past_pairing_rows
from bot.services.matching.pairs import active_pair_member_ids
from bot.services.matching.planner import Leftover, OddPerson, PlannedPair, plan_pairs
from bot.services.matching.scoring import Candidate

Trigger = Literal["admin", "schedule"]
_ODD_PERSON = ("trio", "waitlist")
_TRIGGERS = ("admin", "schedule")
_IDS_PER_STATEMENT = 500  # keeps IN (...) lists well inside every database's limits


@dataclass(frozen=True)
class ConfirmedRound:
    confirmed_at: datetime
    pair_count: int
    trio_count: int


class AlreadyConfirmed(Exception):
    """This preview was confirmed before: `round` is what that confirmation made."""

    def __init__(self, done: ConfirmedRound) -> None:
        super().__init__("preview already confirmed")
        self.round = done


def confirmed_round(*, session: Session, team_id: str, preview_id: str) -> ConfirmedRound | None:
    """The round that confirmed this preview, if one did."""
    row = session.scalars(
        select(MatchRound).where(MatchRound.team_id == team_id, MatchRound.preview_id == preview_id)
    ).first()
    return ConfirmedRound(row.started_at, row.pair_count, row.trio_count) if row is not None else None


@dataclass(frozen=True)
class RoundPair:
    user_ids: tuple[str, ...]  # two, or three for a trio (the third last)
    score: float
    explanation: str
    reasons: tuple[dict[str, object], ...]  # as stored on the pair


@dataclass(frozen=True)
class RoundPlan:
    team_id: str
    seed: int
    odd_person: OddPerson
    forbid_same_team: bool
    eligible_count: int
    pairs: tuple[RoundPair, ...]  # best score first
    leftovers: tuple[Leftover, ...]
    average_score: float | None
    lowest_score: float | None

    @property
    def pair_count(self) -> int:
        return len(self.pairs)

    @property
    def trio_count(self) -> int:
        return sum(len(pair.user_ids) > 2 for pair in self.pairs)

    @property
    def waitlisted(self) -> tuple[str, ...]:
        return tuple(left.user_id for left in self.leftovers if left.outcome == "waitlist")


@dataclass(frozen=True)
class CreatedPair:
    pair_id: int
    user_ids: tuple[str, ...]
    score: float
    explanation: str


@dataclass(frozen=True)
class RoundResult:
    round_id: int
    plan: RoundPlan
    pairs: tuple[CreatedPair, ...]  # in the plan's order: one intro each

    @property
    def waitlisted(self) -> tuple[str, ...]:
        """People to tell they are first in line next round."""
        return self.plan.waitlisted


def new_seed() -> int:
    """A fresh seed for a preview; pass the same one to `run_round` to get the same pairs."""
    return secrets.randbelow(2**31)


def preview_round(
    *,
    session: Session,
    team_id: str,
    now: datetime,
    seed: int,
    forbid_same_team: bool,
    odd_person: OddPerson,
) -> RoundPlan:
    """The round that `run_round` would run now with the same arguments. Writes nothing."""
    _check_seed(seed)
    _check_choice("odd_person", odd_person, _ODD_PERSON)
    return _plan(session, team_id, now, seed, forbid_same_team, odd_person)


def run_round(
    *,
    session: Session,
    team_id: str,
    now: datetime,
    seed: int,
    forbid_same_team: bool,
    odd_person: OddPerson,
    trigger: Trigger,
    preview_id: str | None = None,
) -> RoundResult:
    """Match the pool and store the round, its pairs, their history and the waitlist.

    A round confirming an admin's preview names it (`preview_id`), and a preview is confirmed
    once: a second confirmation raises AlreadyConfirmed. Two at the same instant are kept apart
    by the workspace lock below on PostgreSQL, and by the unique constraint on SQLite (whose
    writers take turns: the second fails with an IntegrityError, see `confirmed_round`)."""
    _check_seed(seed)
    _check_choice("odd_person", odd_person, _ODD_PERSON)
    _check_choice("trigger", trigger, _TRIGGERS)
    # One round at a time per workspace. On PostgreSQL this row lock makes a second round wait
    # for the first to commit, and then it sees the first one's pairs; on SQLite (one writer
    # at a time) the second round's first write fails instead of pairing anyone twice.
    workspace = session.scalars(
        select(Workspace).where(Workspace.team_id == team_id).with_for_update()
    ).first()
    if workspace is None:
        raise LookupError(f"no workspace {team_id}")
    if preview_id is not None:
        done = confirmed_round(session=session, team_id=team_id, preview_id=preview_id)
        if done is not None:
            raise AlreadyConfirmed(done)

    plan = _plan(session, team_id, now, seed, forbid_same_team, odd_person)
    match_round = MatchRound(
        team_id=team_id,
        started_at=now,
        seed=seed,
        trigger=trigger,
        odd_person=odd_person,
        eligible_count=plan.eligible_count,
        pair_count=plan.pair_count,
        trio_count=plan.trio_count,
        waitlisted_count=len(plan.waitlisted),
        preview_id=preview_id,
    )
    session.add(match_round)
    session.flush()

    pair_ids = _store_pairs(session, team_id, match_round.id, now, plan.pairs)
    _update_waitlist(session, team_id, now, plan)
    session.flush()

    created = tuple(
        CreatedPair(pair_id, pair.user_ids, pair.score, pair.explanation)
        for pair_id, pair in zip(pair_ids, plan.pairs, strict=True)
    )
    return RoundResult(match_round.id, plan, created)


def _plan(
    session: Session,
    team_id: str,
    now: datetime,
    seed: int,
    forbid_same_team: bool,
    odd_person: OddPerson,
) -> RoundPlan:
    waiting = set(session.scalars(select(Waitlist.user_id).where(Waitlist.team_id == team_id)))
    pool = [
        Candidate.from_profile(profile, waitlisted=profile.user_id in waiting)
        for profile in _eligible_profiles(session, team_id, now)
    ]
    random.Random(seed).shuffle(pool)
    past = past_pair_keys(session=session, team_id=team_id)

    def is_past(user_a: str, user_b: str) -> bool:
        return pair_key(team_id, user_a, user_b) in past

    plan = plan_pairs(
        pool,
        now=now,
        forbid_same_team=forbid_same_team,
        odd_person=odd_person,
        is_past=is_past if past else None,
    )
    pairs = tuple(_round_pair(pair) for pair in plan.pairs)
    scores = [pair.score for pair in pairs]
    return RoundPlan(
        team_id=team_id,
        seed=seed,
        odd_person=odd_person,
        forbid_same_team=forbid_same_team,
        eligible_count=len(pool),
        pairs=pairs,
        leftovers=plan.leftovers,
        average_score=sum(scores) / len(scores) if scores else None,
        lowest_score=min(scores) if scores else None,
    )


def _store_pairs(
    session: Session, team_id: str, round_id: int, now: datetime, pairs: Sequence[RoundPair]
) -> list[int]:
    """Insert pairs, members and past pairings in bulk: a big round has tens of thousands of rows."""
    if not pairs:
        return []
    pair_rows = [
        {
            "team_id": team_id,
            "round_id": round_id,
            "created_at": now,
            "status": "new",
            "score": pair.score,
            "reasons": list(pair.reasons),
        }
        for pair in pairs
    ]
    pair_ids = list(session.scalars(insert(Pair).returning(Pair.id, sort_by_parameter_order=True), pair_rows))
    session.execute(
        insert(PairMember),
        [
            {"pair_id": pair_id, "team_id": team_id, "user_id": user}
            for pair_id, pair in zip(pair_ids, pairs, strict=True)
            for user in pair.user_ids
        ],
    )
    session.execute(
        insert(PastPairing),
        [
            row
            for pair in pairs
            for row in past_pairing_rows(team_id=team_id, user_ids=pair.user_ids, now=now)
        ],
    )
    return pair_ids


def _eligible_profiles(session: Session, team_id: str, now: datetime) -> list[Profile]:
    busy = active_pair_member_ids(session=session, team_id=team_id)
    profiles = session.scalars(select(Profile).where(Profile.team_id == team_id))
    # Sorted here, not by the database, whose collation could differ: the seed's shuffle
    # must start from the same order everywhere.
    eligible = [p for p in profiles if p.user_id not in busy and not _paused(p, now)]
    return sorted(eligible, key=lambda profile: profile.user_id)


def _paused(profile: Profile, now: datetime) -> bool:
    if not profile.paused:
        return False
    return profile.paused_until is None or profile.paused_until > now


def _round_pair(pair: PlannedPair) -> RoundPair:
    return RoundPair(
        user_ids=pair.user_ids,
        score=pair.score,
        explanation=explain(pair.reasons),
        reasons=tuple(reason.to_json() for reason in pair.reasons),
    )


def _update_waitlist(session: Session, team_id: str, now: datetime, plan: RoundPlan) -> None:
    matched = [user for pair in plan.pairs for user in pair.user_ids]
    for chunk in _chunks(matched):
        session.execute(delete(Waitlist).where(Waitlist.team_id == team_id, Waitlist.user_id.in_(chunk)))
    # Forget people who have left since they were put on the waitlist.
    session.execute(
        delete(Waitlist).where(
            Waitlist.team_id == team_id,
            Waitlist.user_id.not_in(select(Profile.user_id).where(Profile.team_id == team_id)),
        )
    )
    already = set(session.scalars(select(Waitlist.user_id).where(Waitlist.team_id == team_id)))
    # Someone already waiting keeps their place: `since` is when they first waited.
    session.add_all(
        Waitlist(team_id=team_id, user_id=user, since=now) for user in plan.waitlisted if user not in already
    )


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _IDS_PER_STATEMENT):
        yield items[start : start + _IDS_PER_STATEMENT]


def _check_seed(seed: int) -> None:
    if not 0 <= seed < 2**63:
        raise ValueError(f"seed must be a non-negative 64-bit integer, not {seed}")


def _check_choice(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
