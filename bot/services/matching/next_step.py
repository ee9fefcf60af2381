"""What happens next for someone whose pairing just ended, said truthfully: back in the pool
with the next round's date, or paused (and until when), or no scheduled round to promise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.services import profiles
from bot.services.program import program_settings


@dataclass(frozen=True)
class NextStep:
    # Out of matching for now: paused (until this date, or until they resume).
    paused: bool
    paused_until: datetime | None
    # The next scheduled round, when there is one; None means rounds run when an admin starts one.
    next_round_at: datetime | None


def next_round_at(*, session: Session, team_id: str, now: datetime) -> datetime | None:
    """The next scheduled matching round, or None when rounds are only run by hand."""
    program = program_settings(session=session, team_id=team_id)
    if program.round_cadence == "off" or program.next_round_at is None:
        return None
    return max(program.next_round_at, now)


def after_pair_ended(*, session: Session, team_id: str, user_id: str, now: datetime) -> NextStep:
    profile = profiles.get_profile(session=session, team_id=team_id, user_id=user_id)
    paused = profile is not None and profiles.is_paused(profile, now)
    return NextStep(
        paused=paused,
        paused_until=profile.paused_until if paused and profile is not None else None,
        next_round_at=next_round_at(session=session, team_id=team_id, now=now),
    )
