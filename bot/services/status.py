"""One person's standing in the program, gathered for the menu, `status` and App Home."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.models import Profile
from bot.services import checkins, profiles
from bot.services.ground_rules import PairRules, pair_rules_for
from bot.services.matching.next_step import next_round_at
from bot.services.matching.pairs import current_pair
from bot.services.program import program_settings


@dataclass(frozen=True)
class ParticipantStatus:
    joined: bool
    paused: bool = False
    # Set when a pause has an end date.
    paused_until: datetime | None = None
    profile: Profile | None = None
    # The people in the person's active pair (one, or two in a trio); empty when unpaired.
    peer_ids: list[str] = field(default_factory=list)
    # The person's pair with its rules in force and any pending proposal; None when unpaired.
    ground_rules: PairRules | None = None
    # When the next check-in should reach the person; None when none is expected.
    next_checkin_at: datetime | None = None
    # Set while a peer is paused: the pairing is on hold until then (datetime.max: no end date).
    pair_on_hold_until: datetime | None = None
    # Team summaries show any count under this as "fewer than N" (what managers can see).
    privacy_threshold: int = 5
    # The next scheduled round (what someone not in a pair waits for); None when rounds are
    # only run by an admin.
    next_round_at: datetime | None = None


def participant_status(*, session: Session, team_id: str, user_id: str, now: datetime) -> ParticipantStatus:
    profile = profiles.get_profile(session=session, team_id=team_id, user_id=user_id)
    threshold = program_settings(session=session, team_id=team_id).privacy_threshold
    if profile is None:
        return ParticipantStatus(joined=False, privacy_threshold=threshold)
    paused = profiles.is_paused(profile, now)
    pair = current_pair(session=session, team_id=team_id, user_id=user_id)
    return ParticipantStatus(
        joined=True,
        paused=paused,
        paused_until=profile.paused_until if paused else None,
        profile=profile,
        peer_ids=list(pair.peers_of(user_id)) if pair else [],
        next_checkin_at=checkins.next_checkin_at(session=session, team_id=team_id, user_id=user_id, now=now),
        ground_rules=pair_rules_for(session=session, team_id=team_id, user_id=user_id),
        pair_on_hold_until=checkins.pair_on_hold_until(
            session=session, team_id=team_id, user_id=user_id, now=now
        ),
        privacy_threshold=threshold,
        next_round_at=next_round_at(session=session, team_id=team_id, now=now),
    )


@dataclass(frozen=True)
class Resumed:
    """What someone who just resumed goes back to: their pair's check-ins, or the pool."""

    status: ParticipantStatus

    @property
    def next_round_at(self) -> datetime | None:
        return self.status.next_round_at


def resume(*, session: Session, team_id: str, user_id: str, now: datetime) -> Resumed:
    profiles.resume(session=session, team_id=team_id, user_id=user_id, now=now)
    return Resumed(status=participant_status(session=session, team_id=team_id, user_id=user_id, now=now))
