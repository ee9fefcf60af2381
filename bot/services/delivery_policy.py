"""Whether a due message goes now: the whole delivery policy, as one pure function.

    decide(row, recipient, program, now) -> Send() | Defer(until, reason) | Cancel(reason)

The worker asks this at the last moment before every post and does what it says
(bot/jobs/sender.py). It reads no database and no clock: the facts are passed in
(bot/services/delivery_facts.py gathers them), so each rule is tested case by case
(tests/services/test_delivery_policy.py). In order:

1. A kind nobody defined: cancel (a bug; the worker logs it).
2. Channel posts and group DMs (`to_person=False`) are sent as they are.
3. Someone who never opted in, or whom Slack says is gone: cancel.
4. Someone paused *now*, even if they paused after the message was planned: cancel a
   prompt, or defer news until the pause ends (bot/services/message_kinds.py says which).
5. Outside their working hours or on a quiet day, in their own time zone: defer to the
   next working instant.
6. The message budget (DESIGN.md §5): at most `per_day` unprompted DMs on their local
   working day and `per_week` in their local week (Monday to Sunday). When the budget is
   spent, or the messages due before this one would spend it, defer to the first working
   day with room. The most urgent goes first; among equals, the one planned first. The
   slot chosen leaves room for the more urgent messages already waiting for that day, so
   deferred messages spread out instead of landing on the same morning.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from bot.services.message_kinds import KindPolicy, WhenPaused, policy_of
from bot.services.outbox import OutboxRow
from bot.services.working_hours import WorkingHours, is_working_time, next_working_time, zone

PER_DAY, PER_WEEK = 2, 4
PAUSED_RECHECK = timedelta(days=1)  # a pause with no end date: look again tomorrow
LOOK_AHEAD_DAYS = 35


@dataclass(frozen=True)
class Send:
    pass


@dataclass(frozen=True)
class Defer:
    until: datetime
    reason: str


@dataclass(frozen=True)
class Cancel:
    reason: str


Decision = Send | Defer | Cancel


@dataclass(frozen=True)
class Waiting:
    """Another unprompted message to the same person, not yet sent."""

    row_id: int
    kind: str
    due_at: datetime
    created_at: datetime


@dataclass(frozen=True)
class Recipient:
    """What decide needs to know about the person a DM is for."""

    opted_in: bool
    gone: bool = False
    paused: bool = False
    paused_until: datetime | None = None
    tz: str = "UTC"
    # When unprompted DMs reached them lately (the last week or so is enough).
    sent: tuple[datetime, ...] = ()
    # Their other unprompted messages not sent yet.
    waiting: tuple[Waiting, ...] = ()


@dataclass(frozen=True)
class Program:
    hours: WorkingHours = field(default_factory=WorkingHours)
    per_day: int = PER_DAY
    per_week: int = PER_WEEK


def decide(row: OutboxRow, recipient: Recipient | None, program: Program, now: datetime) -> Decision:
    kind = policy_of(row.kind)
    if kind is None:
        return Cancel("unknown_kind")
    if not kind.to_person:
        return Send()
    if recipient is None or not recipient.opted_in:
        return Cancel("not_opted_in")
    if recipient.gone:
        return Cancel("recipient_gone")
    if recipient.paused:
        if kind.when_paused == WhenPaused.CANCEL:
            return Cancel("paused")
        return Defer(recipient.paused_until or now + PAUSED_RECHECK, "paused")
    if not is_working_time(now, tz=recipient.tz, hours=program.hours):
        return Defer(next_working_time(now, tz=recipient.tz, hours=program.hours), "outside_hours")
    if kind.unprompted and not _room_now(row, kind, recipient, program, now):
        return Defer(_next_day_with_room(row, kind, recipient, program, now), "budget")
    return Send()


# --- the message budget ---------------------------------------------------------------


def _week(day: date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def _ahead(row: OutboxRow, kind: KindPolicy, other: Waiting) -> bool:
    """Does `other` go before `row`? More urgent first, then the one planned first."""
    urgency = _urgency(other)
    if urgency != kind.urgency:
        return urgency > kind.urgency
    return (other.created_at, other.row_id) < (row.created_at, row.id)


def _room_now(
    row: OutboxRow, kind: KindPolicy, recipient: Recipient, program: Program, now: datetime
) -> bool:
    place = zone(recipient.tz)
    today = now.astimezone(place).date()
    local = [at.astimezone(place).date() for at in recipient.sent]
    room = min(
        program.per_day - sum(1 for d in local if d == today),
        program.per_week - sum(1 for d in local if _week(d) == _week(today)),
    )
    # Messages due now that go first take their share of the room.
    ahead = sum(1 for w in recipient.waiting if w.due_at <= now and _ahead(row, kind, w))
    return ahead < room


def _next_day_with_room(
    row: OutboxRow, kind: KindPolicy, recipient: Recipient, program: Program, now: datetime
) -> datetime:
    """The opening of the first working day after today with room for this message, once
    the messages ahead of it have taken theirs, day by day, in their order."""
    place = zone(recipient.tz)
    today = now.astimezone(place).date()
    on_day: Counter[date] = Counter()
    in_week: Counter[tuple[int, int]] = Counter()
    for at in recipient.sent:
        day = at.astimezone(place).date()
        on_day[day] += 1
        in_week[_week(day)] += 1
    # What goes before it, most urgent first, each from the local day it falls due.
    ahead = sorted(
        (w for w in recipient.waiting if _ahead(row, kind, w)),
        key=lambda w: (-_urgency(w), w.created_at, w.row_id),
    )
    pending: list[date | None] = [max(w.due_at, now).astimezone(place).date() for w in ahead]
    # Today only takes what goes before it (it did not fit today), then day by day.
    for offset in range(LOOK_AHEAD_DAYS):
        day = today + timedelta(days=offset)
        if day.isoweekday() in program.hours.days_off:
            continue
        room = min(program.per_day - on_day[day], program.per_week - in_week[_week(day)])
        for i, first_day in enumerate(pending):
            if room <= 0:
                break
            if first_day is not None and first_day <= day:
                pending[i] = None
                room -= 1
                in_week[_week(day)] += 1
        if room > 0 and offset > 0:
            opening = datetime.combine(day, time(program.hours.start_hour), tzinfo=place).astimezone(UTC)
            return next_working_time(opening, tz=recipient.tz, hours=program.hours)
    return next_working_time(now + timedelta(days=LOOK_AHEAD_DAYS), tz=recipient.tz, hours=program.hours)


def _urgency(waiting: Waiting) -> int:
    kind = policy_of(waiting.kind)
    return kind.urgency if kind else 0
