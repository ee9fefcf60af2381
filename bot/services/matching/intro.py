"""What a pair's introduction says about each person: read when it is sent, never queued."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.models import Pair, Profile
from bot.services import options
from bot.services.matching.explain import explain
from bot.services.matching.scoring import Reason


@dataclass(frozen=True)
class IntroPerson:
    user_id: str
    level: str
    function: str
    team_name: str
    can_share: tuple[str, ...]
    want_to_grow: tuple[str, ...]


@dataclass(frozen=True)
class Intro:
    pair_id: int
    people: tuple[IntroPerson, ...]
    why: str


def intro_for(*, session: Session, team_id: str, pair_id: int) -> Intro | None:
    """The introduction of an active pair, or None once it has ended (nothing left to say)."""
    pair = session.scalar(
        select(Pair).where(Pair.id == pair_id, Pair.team_id == team_id).options(selectinload(Pair.members))
    )
    if pair is None or pair.ended_at is not None:
        return None
    user_ids = [member.user_id for member in pair.members]
    found = {
        p.user_id: p
        for p in session.scalars(
            select(Profile).where(Profile.team_id == team_id, Profile.user_id.in_(user_ids))
        )
    }
    people = tuple(_person(found[user_id]) for user_id in user_ids if user_id in found)
    return Intro(pair_id=pair.id, people=people, why=explain([Reason.from_json(raw) for raw in pair.reasons]))


def _person(profile: Profile) -> IntroPerson:
    return IntroPerson(
        user_id=profile.user_id,
        level=options.label_of(options.EXPERIENCE_LEVELS, profile.experience_level),
        function=options.label_of(options.FUNCTIONS, profile.function),
        team_name=profile.team_name,
        can_share=tuple(profile.can_share),
        want_to_grow=tuple(profile.want_to_grow),
    )
