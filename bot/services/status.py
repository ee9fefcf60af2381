"""One person's standing in the program, gathered for the menu, `status` and App Home."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.models import Profile
from bot.services import profiles


@dataclass(frozen=True)
class ParticipantStatus:
    joined: bool
    paused: bool = False
    # Set when a pause has an end date.
    paused_until: datetime | None = None
    profile: Profile | None = None
    # Filled in by later features (pairs, rules, check-ins); empty means "none yet".
    peer_ids: list[str] = field(default_factory=list)


def participant_status(*, session: Session, team_id: str, user_id: str, now: datetime) -> ParticipantStatus:
    profile = profiles.get_profile(session=session, team_id=team_id, user_id=user_id)
    if profile is None:
        return ParticipantStatus(joined=False)
    paused = profiles.is_paused(profile, now)
    return ParticipantStatus(
        joined=True,
        paused=paused,
        paused_until=profile.paused_until if paused else None,
        profile=profile,
    )
