"""Program settings, read with their defaults. Changing them (with an audit trail) is the admin feature's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.models.program import ProgramSettings

MIN_PRIVACY_THRESHOLD = 3


@dataclass(frozen=True)
class Program:
    round_cadence: str = "biweekly"
    next_round_at: datetime | None = None
    odd_person: str = "trio"
    forbid_same_team: bool = False
    default_frequency: str = "biweekly"
    work_start_hour: int = 9
    work_end_hour: int = 17
    quiet_days: tuple[int, ...] = (6, 7)
    privacy_threshold: int = 5
    manager_ids: frozenset[str] = field(default_factory=frozenset)


def program_settings(*, session: Session, team_id: str) -> Program:
    row = session.get(ProgramSettings, team_id)
    if row is None:
        return Program()
    return Program(
        round_cadence=row.round_cadence,
        next_round_at=row.next_round_at,
        odd_person=row.odd_person,
        forbid_same_team=row.forbid_same_team,
        default_frequency=row.default_frequency,
        work_start_hour=row.work_start_hour,
        work_end_hour=row.work_end_hour,
        quiet_days=tuple(row.quiet_days),
        privacy_threshold=max(MIN_PRIVACY_THRESHOLD, row.privacy_threshold),
        manager_ids=frozenset(row.manager_ids),
    )
