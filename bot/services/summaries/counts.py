"""The raw counts behind a summary, loaded once per summary (a few queries, not one per person)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.models import Pair, PairMember, Profile
from bot.services import activity
from bot.services.matching.pairs import active_pair_member_ids
from bot.services.summaries.fingerprints import fingerprint

# "Pairs that met" looks back this far.
MET_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Counts:
    size: int
    opted_in: int
    paused: int
    in_pair: int
    pairs_met: int
    pairs_in_window: int


@dataclass
class People:
    """Everything the counts need about a workspace's people and pairs."""

    paused: dict[str, bool]  # everyone opted in -> paused now
    active: set[str]
    pairs_of: dict[str, set[int]]  # pairs active at some time in the window, by member
    met: set[int]
    _by_fingerprint: dict[int, str] | None = field(default=None)

    @classmethod
    def load(cls, session: Session, team_id: str, now: datetime) -> People:
        since = now - MET_WINDOW
        # Three columns, not whole profiles: decoding everyone's answers would be most of the time.
        # The same rule as profiles.is_paused: a dated pause is over once its date passes.
        paused = {
            user_id: bool(is_on and (until is None or until > now))
            for user_id, is_on, until in session.execute(
                select(Profile.user_id, Profile.paused, Profile.paused_until).where(
                    Profile.team_id == team_id
                )
            )
        }
        pairs_of: dict[str, set[int]] = {}
        window_pairs = session.execute(
            select(PairMember.user_id, Pair.id)
            .join(Pair, Pair.id == PairMember.pair_id)
            .where(
                Pair.team_id == team_id,
                PairMember.team_id == team_id,
                Pair.created_at <= now,
                or_(Pair.ended_at.is_(None), Pair.ended_at >= since),
            )
        )
        for user_id, pair_id in window_pairs:
            pairs_of.setdefault(user_id, set()).add(pair_id)
        return cls(
            paused=paused,
            active=active_pair_member_ids(session=session, team_id=team_id),
            pairs_of=pairs_of,
            met=activity.pairs_that_met(session=session, team_id=team_id, since=since, until=now),
        )

    def count(self, members: Collection[str], *, size: int | None = None) -> Counts:
        opted = [m for m in members if m in self.paused]
        pairs: set[int] = set()
        for m in members:
            pairs |= self.pairs_of.get(m, set())
        return Counts(
            size=len(members) if size is None else size,
            opted_in=len(opted),
            paused=sum(1 for m in opted if self.paused[m]),
            in_pair=sum(1 for m in opted if m in self.active),
            pairs_met=len(pairs & self.met),
            pairs_in_window=len(pairs),
        )

    def resolve(self, team_id: str, fingerprints: frozenset[int], known: Iterable[str]) -> set[str]:
        """The user ids behind fingerprints, among the known members and everyone with data.

        People the app holds nothing about count as zero in every figure, so not finding
        them changes no count.
        """
        if self._by_fingerprint is None:
            everyone = set(self.paused) | set(self.pairs_of) | self.active
            self._by_fingerprint = {fingerprint(team_id, u): u for u in everyone}
        found = {u for u in known if fingerprint(team_id, u) in fingerprints}
        found |= {u for fp, u in self._by_fingerprint.items() if fp in fingerprints}
        return found
