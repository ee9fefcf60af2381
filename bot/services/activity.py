"""How active pairs are, in aggregate: which pairs met, and how many check-ins got an answer.

Only pair ids and counts come out of here, never who said what; summaries and program health
read these and nothing else of the check-ins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from bot.models import Checkin, CheckinAnswer
from bot.models.states import CheckinOutcome

MET = "met"


def pairs_that_met(*, session: Session, team_id: str, since: datetime, until: datetime) -> set[int]:
    """Pairs in which someone answered "We met" to a check-in between `since` and `until`."""
    rows = session.scalars(
        select(Checkin.pair_id)
        .distinct()
        .join(CheckinAnswer, CheckinAnswer.checkin_id == Checkin.id)
        .where(
            Checkin.team_id == team_id,
            CheckinAnswer.team_id == team_id,
            CheckinAnswer.answer == MET,
            CheckinAnswer.answered_at >= since,
            CheckinAnswer.answered_at <= until,
        )
    )
    return set(rows)


@dataclass(frozen=True)
class CheckinRate:
    due: int
    answered: int

    @property
    def share(self) -> float | None:
        return self.answered / self.due if self.due else None


def checkin_rate(*, session: Session, team_id: str, since: datetime, until: datetime) -> CheckinRate:
    """Check-ins that fell due in the window (not while paused), and how many got any answer."""
    due = session.scalar(
        select(func.count(Checkin.id)).where(
            Checkin.team_id == team_id,
            Checkin.due_at >= since,
            Checkin.due_at <= until,
            (Checkin.outcome.is_(None)) | (Checkin.outcome != CheckinOutcome.PAUSED),
        )
    )
    answered = session.scalar(
        select(func.count(distinct(Checkin.id)))
        .join(CheckinAnswer, CheckinAnswer.checkin_id == Checkin.id)
        .where(
            Checkin.team_id == team_id,
            Checkin.due_at >= since,
            Checkin.due_at <= until,
            (Checkin.outcome.is_(None)) | (Checkin.outcome != CheckinOutcome.PAUSED),
        )
    )
    return CheckinRate(due=due or 0, answered=answered or 0)
