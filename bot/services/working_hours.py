"""When a person may be messaged: inside the program's working hours, in their own time zone.

Working hours are wall-clock hours (default 09:00–17:00) on working days; the program's
`quiet_days` are the days off (default Saturday and Sunday, so Monday–Friday by default; an
admin whose weekend is Friday–Saturday sets those instead). Everything is computed on the
person's local calendar with `zoneinfo`, so a daylight-saving change moves the UTC instant,
never the local hour: 09:00 in London is 09:00 GMT in March and 09:00 BST in April.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from bot.services.program import Program, program_settings

DEFAULT_START, DEFAULT_END = 9, 17
DEFAULT_DAYS_OFF = frozenset({6, 7})


@dataclass(frozen=True)
class WorkingHours:
    start_hour: int = DEFAULT_START
    end_hour: int = DEFAULT_END
    # ISO weekdays (1 = Monday … 7 = Sunday) when nobody is messaged.
    days_off: frozenset[int] = DEFAULT_DAYS_OFF

    @classmethod
    def of(cls, program: Program) -> WorkingHours:
        """The program's hours; settings that would leave no time at all fall back to defaults."""
        start, end = program.work_start_hour, program.work_end_hour
        if not (0 <= start < end <= 24):
            start, end = DEFAULT_START, DEFAULT_END
        days_off = frozenset(d for d in program.quiet_days if 1 <= d <= 7)
        if len(days_off) == 7:
            days_off = DEFAULT_DAYS_OFF
        return cls(start, end, days_off)


def hours_for(*, session: Session, team_id: str) -> WorkingHours:
    """The working hours of a workspace's program: the one place they are read."""
    return WorkingHours.of(program_settings(session=session, team_id=team_id))


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The IANA zone Slack gave us; an unknown or empty name reads as UTC rather than failing."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_working_time(at: datetime, *, tz: str, hours: WorkingHours) -> bool:
    local = at.astimezone(zone(tz))
    return local.isoweekday() not in hours.days_off and hours.start_hour <= local.hour < hours.end_hour


def next_working_time(after: datetime, *, tz: str, hours: WorkingHours) -> datetime:
    """The earliest instant at or after `after` inside the person's working hours (UTC)."""
    if is_working_time(after, tz=tz, hours=hours):
        return after.astimezone(UTC)
    place = zone(tz)
    first_day = after.astimezone(place).date()
    for offset in range(8):
        day = first_day + timedelta(days=offset)
        if day.isoweekday() in hours.days_off:
            continue
        # A wall time in a spring-forward gap resolves to the instant just after the gap,
        # which is still inside the day's hours; round-tripping through UTC checks that.
        opening = datetime.combine(day, time(hours.start_hour), tzinfo=place).astimezone(UTC)
        candidate = max(opening, after.astimezone(UTC))
        if is_working_time(candidate, tz=tz, hours=hours):
            return candidate
    raise AssertionError("working hours always leave some time in a week")
