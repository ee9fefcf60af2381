"""A person's current pair: look it up, or end it without blame.

A pair is active until `ended_at` is set. Ending a trio ends it for all three and returns
everyone to the pool: the trio agreed its ground rules and rhythm as three, and the next
round can give each of the others a peer who suits them rather than a leftover pairing.
Ended pairs stay on record, and every two-person combination stays in `PastPairing`, so
nobody is ever paired with a past peer again. One exception: someone who is gone from Slack
before their trio was even introduced is taken out of it (`drop_member`), and the other two
start as a pair, since they have agreed nothing as three yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session, selectinload

from bot.models import Pair, PairMember, Waitlist
from bot.models.states import PairStatus
from bot.services.matching.explain import explain
from bot.services.matching.scoring import Reason

# Why a pair ended. "rematch": a no-fault exit; "left": someone opted out; "deleted": someone
# deleted their data; "quiet": the pair went quiet and took the offer to rematch.
END_REASONS = frozenset({"rematch", "left", "deleted", "quiet"})


@dataclass(frozen=True)
class PairView:
    pair_id: int
    user_ids: tuple[str, ...]
    created_at: datetime
    status: str
    score: float
    explanation: str

    def peers_of(self, user_id: str) -> tuple[str, ...]:
        return tuple(other for other in self.user_ids if other != user_id)


@dataclass(frozen=True)
class EndedPair:
    pair_id: int
    ended_by: str
    reason: str
    # Everyone else who was in the pair: the caller tells them kindly; they are back in the pool.
    other_user_ids: tuple[str, ...]


def current_pair(*, session: Session, team_id: str, user_id: str) -> PairView | None:
    pair = _active_pair(session, team_id, user_id)
    if pair is None:
        return None
    return PairView(
        pair_id=pair.id,
        user_ids=tuple(member.user_id for member in pair.members),
        created_at=pair.created_at,
        status=pair.status,
        score=pair.score,
        explanation=explain([Reason.from_json(raw) for raw in pair.reasons]),
    )


def end_pair(*, session: Session, team_id: str, user_id: str, now: datetime, reason: str) -> EndedPair | None:
    """End the person's active pair (for everyone in it); None when they are not in one."""
    if reason not in END_REASONS:
        raise ValueError(f"unknown end reason {reason!r}")
    pair = _active_pair(session, team_id, user_id)
    if pair is None:
        return None
    pair.ended_at = now
    pair.end_reason = reason
    pair.status = PairStatus.ENDED
    session.flush()
    others = tuple(member.user_id for member in pair.members if member.user_id != user_id)
    return EndedPair(pair.id, user_id, reason, others)


def drop_member(*, session: Session, team_id: str, pair_id: int, user_id: str) -> tuple[str, ...]:
    """Take one person out of an active pair of three or more; returns who remains (empty,
    and nothing changed, when the pair is not active or would be left with fewer than two)."""
    pair = session.scalar(
        select(Pair).where(Pair.id == pair_id, Pair.team_id == team_id).options(selectinload(Pair.members))
    )
    if pair is None or pair.ended_at is not None or len(pair.members) < 3:
        return ()
    remaining = [m for m in pair.members if m.user_id != user_id]
    if len(remaining) == len(pair.members):
        return ()
    pair.members = remaining
    session.flush()
    return tuple(m.user_id for m in remaining)


def active_pair_member_ids(*, session: Session, team_id: str) -> set[str]:
    """Everyone in a pair that has not ended: they sit out matching rounds."""
    return set(session.scalars(_active_members(team_id)))


def remove_from_waitlist(*, session: Session, team_id: str, user_id: str) -> bool:
    """Forget that someone was waiting for a peer (they left or deleted their data)."""
    result = session.execute(delete(Waitlist).where(Waitlist.team_id == team_id, Waitlist.user_id == user_id))
    return bool(getattr(result, "rowcount", 0))


def _active_members(team_id: str) -> Select[str]:
    return (
        select(PairMember.user_id)
        .join(Pair, Pair.id == PairMember.pair_id)
        .where(PairMember.team_id == team_id, Pair.team_id == team_id, Pair.ended_at.is_(None))
    )


def open_pairs_of(team_id: str, user_id: str) -> Select[Pair]:
    """The person's pairs that have not ended, newest first, with their members loaded."""
    return (
        select(Pair)
        .join(PairMember, PairMember.pair_id == Pair.id)
        .where(
            Pair.team_id == team_id,
            Pair.ended_at.is_(None),
            PairMember.team_id == team_id,
            PairMember.user_id == user_id,
        )
        .options(selectinload(Pair.members))
        .order_by(Pair.created_at.desc(), Pair.id.desc())
    )


def _active_pair(session: Session, team_id: str, user_id: str) -> Pair | None:
    return session.scalars(open_pairs_of(team_id, user_id).limit(1)).first()
