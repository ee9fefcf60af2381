"""Summary periods: ISO weeks and calendar months, in UTC, with labels that sort in time order."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, time, timedelta

CADENCES = ("weekly", "monthly")


def start_of(cadence: str, now: datetime) -> datetime:
    """The first instant of the period `now` falls in."""
    day = now.astimezone(UTC).date()
    first = day.replace(day=1) if cadence == "monthly" else day - timedelta(days=day.isoweekday() - 1)
    return datetime.combine(first, time(0), tzinfo=UTC)


def label(cadence: str, now: datetime) -> str:
    moment = now.astimezone(UTC)
    if cadence == "monthly":
        return f"{moment.year:04d}-{moment.month:02d}"
    year, week, _ = moment.isocalendar()
    return f"{year:04d}-W{week:02d}"


def due_at(cadence: str, now: datetime, quiet_days: Collection[int], start_hour: int) -> datetime | None:
    """When this period's summary falls due: its first day that is not a quiet day, at the
    start of working hours (UTC). None when every day in reach is quiet."""
    start = start_of(cadence, now)
    for offset in range(7):
        day = start + timedelta(days=offset)
        if day.isoweekday() not in quiet_days:
            return day.replace(hour=min(max(start_hour, 0), 23))
    return None
