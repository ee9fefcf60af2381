"""Program health for admins on App Home: participants, active pairs, check-in rate, next round.

Workspace-wide totals only; like team summaries, nothing here names anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import Pair, Profile
from bot.services import activity
from bot.services.profiles import is_paused
from bot.services.program import program_settings

WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class ProgramHealth:
    participants: int
    paused: int
    active_pairs: int
    # Check-ins due in the last 30 days, and how many got an answer.
    checkins_due: int
    checkins_answered: int
    round_cadence: str
    next_round_at: datetime | None

    @property
    def checkin_rate(self) -> float | None:
        return self.checkins_answered / self.checkins_due if self.checkins_due else None


def program_health(*, session: Session, team_id: str, now: datetime) -> ProgramHealth:
    profiles = session.scalars(select(Profile).where(Profile.team_id == team_id)).all()
    active_pairs = session.scalar(
        select(func.count(Pair.id)).where(Pair.team_id == team_id, Pair.ended_at.is_(None))
    )
    rate = activity.checkin_rate(session=session, team_id=team_id, since=now - WINDOW, until=now)
    program = program_settings(session=session, team_id=team_id)
    return ProgramHealth(
        participants=len(profiles),
        paused=sum(1 for p in profiles if is_paused(p, now)),
        active_pairs=active_pairs or 0,
        checkins_due=rate.due,
        checkins_answered=rate.answered,
        round_cadence=program.round_cadence,
        next_round_at=program.next_round_at if program.round_cadence != "off" else None,
    )
