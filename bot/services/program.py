"""Program settings, read with their defaults. Changing them (with an audit trail) is the admin feature's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session

from bot.models.program import ProgramSettings
from bot.models.workspace import Workspace

MIN_PRIVACY_THRESHOLD = 3
# With rounds on and no date set, the first round is the first Monday at least this long after
# the program started (its workspace's first request), at FIRST_ROUND_HOUR UTC: a few days for
# word to spread and people to join, and a round that runs without anyone having to set a date.
# 10:00 UTC is working time from Europe to Asia's evening; introductions wait for each
# person's own working hours anyway.
FIRST_ROUND_LEAD = timedelta(days=3)
FIRST_ROUND_HOUR = 10


def first_round_at(program_started: datetime) -> datetime:
    day = (program_started.astimezone(UTC) + FIRST_ROUND_LEAD).date()
    monday = day + timedelta(days=-day.weekday() % 7)
    return datetime.combine(monday, time(FIRST_ROUND_HOUR), tzinfo=UTC)


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
    """The program's settings; a scheduled round with no date set falls on `first_round_at`."""
    row = session.get(ProgramSettings, team_id)
    if row is None:
        return Program(next_round_at=_default_first_round(session, team_id))
    next_round = row.next_round_at
    if next_round is None and row.round_cadence != "off":
        next_round = _default_first_round(session, team_id)
    return Program(
        round_cadence=row.round_cadence,
        next_round_at=next_round,
        odd_person=row.odd_person,
        forbid_same_team=row.forbid_same_team,
        default_frequency=row.default_frequency,
        work_start_hour=row.work_start_hour,
        work_end_hour=row.work_end_hour,
        quiet_days=tuple(row.quiet_days),
        privacy_threshold=max(MIN_PRIVACY_THRESHOLD, row.privacy_threshold),
        manager_ids=frozenset(row.manager_ids),
    )


def settings_row(*, session: Session, team_id: str, now: datetime) -> ProgramSettings:
    """The program's stored settings, created with the defaults (and their first round) if none."""
    row = session.get(ProgramSettings, team_id)
    if row is not None:
        return row
    program = program_settings(session=session, team_id=team_id)
    row = ProgramSettings(
        team_id=team_id,
        round_cadence=program.round_cadence,
        next_round_at=program.next_round_at,
        odd_person=program.odd_person,
        forbid_same_team=program.forbid_same_team,
        default_frequency=program.default_frequency,
        work_start_hour=program.work_start_hour,
        work_end_hour=program.work_end_hour,
        quiet_days=list(program.quiet_days),
        privacy_threshold=program.privacy_threshold,
        manager_ids=sorted(program.manager_ids),
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _default_first_round(session: Session, team_id: str) -> datetime | None:
    workspace = session.get(Workspace, team_id)
    return first_round_at(workspace.created_at) if workspace is not None else None
