"""When the next scheduled matching round is due, and moving the schedule on after one runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.services.checkins import add_months
from bot.services.program import Program, program_settings, settings_row


def round_due(*, session: Session, team_id: str, now: datetime) -> Program | None:
    """The program's settings when a scheduled round is due now, else None."""
    program = program_settings(session=session, team_id=team_id)
    if program.round_cadence == "off" or program.next_round_at is None or program.next_round_at > now:
        return None
    return program


def following(at: datetime, cadence: str, steps: int = 1) -> datetime:
    if cadence == "monthly":
        return add_months(at, steps)
    return at + timedelta(days=(14 if cadence == "biweekly" else 7) * steps)


def advance_round(*, session: Session, team_id: str, now: datetime) -> datetime | None:
    """Move `next_round_at` past `now` by whole cadence steps (rounds missed while the worker
    was down are not made up for). Returns the new date."""
    program = program_settings(session=session, team_id=team_id)
    if program.next_round_at is None or program.round_cadence == "off":
        return None
    row = settings_row(session=session, team_id=team_id, now=now)
    steps = 1
    while following(program.next_round_at, program.round_cadence, steps) <= now:
        steps += 1
    row.next_round_at = following(program.next_round_at, program.round_cadence, steps)
    session.flush()
    return row.next_round_at
