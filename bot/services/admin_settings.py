"""Changing the program settings, with an audit trail: one row per changed field.

Only program admins may change settings (Slack workspace admins and owners, plus the people
named in PEER_MENTOR_ADMINS; the listener asks Slack). Every change records who made it, the
field, the old and new values, and when, so "who turned the threshold down?" always has an
answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.ids import SettingsField
from bot.models import AuditLog, ProgramSettings, SummarySubscription
from bot.services import options
from bot.services.errors import InvalidInput, NotAllowed
from bot.services.profiles import ensure_workspace
from bot.services.program import MIN_PRIVACY_THRESHOLD, Program, program_settings

ROUND_CADENCES = ("off", "weekly", "biweekly", "monthly")
ODD_PERSON = ("trio", "waitlist")
MAX_PRIVACY_THRESHOLD = 50
MAX_MANAGERS = 100
MAX_SUBSCRIPTIONS = 50

NOT_AN_ADMIN = (
    "Only program admins can change the program settings. Slack workspace admins and owners are "
    "program admins; ask one of them if something should change."
)


@dataclass(frozen=True)
class SettingsForm:
    """The settings modal's answers, as given (before validation)."""

    round_cadence: str | None
    next_round_date: str | None  # YYYY-MM-DD from the date picker
    odd_person: str | None
    forbid_same_team: bool
    default_frequency: str | None
    work_start: str | None
    work_end: str | None
    quiet_days: list[str]
    privacy_threshold: str | None
    manager_ids: list[str]
    weekly_channels: list[str]
    monthly_channels: list[str]


@dataclass(frozen=True)
class AdminSettings:
    """Every program setting, including the summary subscriptions, in a comparable form."""

    round_cadence: str
    next_round_at: datetime | None
    odd_person: str
    forbid_same_team: bool
    default_frequency: str
    work_start_hour: int
    work_end_hour: int
    quiet_days: tuple[int, ...]
    privacy_threshold: int
    manager_ids: tuple[str, ...]
    # (channel id, "weekly" | "monthly"), sorted by channel
    summary_subscriptions: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Change:
    field: str
    actor_id: str
    old: Any
    new: Any
    changed_at: datetime


def require_admin(is_admin: bool) -> None:
    if not is_admin:
        raise NotAllowed(NOT_AN_ADMIN)


def current_settings(*, session: Session, team_id: str) -> AdminSettings:
    program: Program = program_settings(session=session, team_id=team_id)
    subscriptions = session.scalars(
        select(SummarySubscription).where(SummarySubscription.team_id == team_id)
    ).all()
    return AdminSettings(
        round_cadence=program.round_cadence,
        next_round_at=program.next_round_at,
        odd_person=program.odd_person,
        forbid_same_team=program.forbid_same_team,
        default_frequency=program.default_frequency,
        work_start_hour=program.work_start_hour,
        work_end_hour=program.work_end_hour,
        quiet_days=tuple(sorted(program.quiet_days)),
        privacy_threshold=program.privacy_threshold,
        manager_ids=tuple(sorted(program.manager_ids)),
        summary_subscriptions=tuple(sorted((s.channel_id, s.cadence) for s in subscriptions)),
    )


def validate_settings(
    form: SettingsForm, *, tz: str, now: datetime, current: AdminSettings | None = None
) -> AdminSettings:
    """Check every field; raise InvalidInput keyed by the modal's block ids. Nothing is stored.

    `current` lets an unchanged next-round date stand even once it has passed.
    """
    errors: dict[str, str] = {}
    cadence = _one_of(form.round_cadence, ROUND_CADENCES, SettingsField.ROUND_CADENCE, errors)
    odd = _one_of(form.odd_person, ODD_PERSON, SettingsField.ODD_PERSON, errors)
    frequency = _one_of(
        form.default_frequency,
        tuple(c.value for c in options.FREQUENCIES),
        SettingsField.DEFAULT_FREQUENCY,
        errors,
    )
    start = _hour(form.work_start, 0, 23, SettingsField.WORK_START, errors)
    end = _hour(form.work_end, 1, 24, SettingsField.WORK_END, errors)
    if start is not None and end is not None and end - start < 1:
        errors[SettingsField.WORK_END] = "Working hours must end after they start."

    quiet: set[int] = set()
    for day in form.quiet_days:
        if not (day.isdigit() and 1 <= int(day) <= 7):
            errors[SettingsField.QUIET_DAYS] = "Pick days from the list."
            break
        quiet.add(int(day))
    if len(quiet) == 7:
        errors[SettingsField.QUIET_DAYS] = "Leave at least one day for check-ins."

    threshold_text = (form.privacy_threshold or "").strip()
    threshold = int(threshold_text) if threshold_text.isdigit() else None
    if threshold is None or not MIN_PRIVACY_THRESHOLD <= threshold <= MAX_PRIVACY_THRESHOLD:
        errors[SettingsField.PRIVACY_THRESHOLD] = (
            f"Use a whole number from {MIN_PRIVACY_THRESHOLD} to {MAX_PRIVACY_THRESHOLD}: "
            f"below {MIN_PRIVACY_THRESHOLD}, a count could single people out."
        )

    managers = sorted(set(form.manager_ids))
    if len(managers) > MAX_MANAGERS:
        errors[SettingsField.MANAGERS] = f"Name at most {MAX_MANAGERS} managers."

    weekly, monthly = set(form.weekly_channels), set(form.monthly_channels)
    both = weekly & monthly
    if both:
        errors[SettingsField.MONTHLY_CHANNELS] = (
            "A channel gets either a weekly or a monthly summary: take it out of one list."
        )
    elif len(weekly) + len(monthly) > MAX_SUBSCRIPTIONS:
        errors[SettingsField.MONTHLY_CHANNELS] = f"Subscribe at most {MAX_SUBSCRIPTIONS} channels."
    if any(c[:1] not in ("C", "G") for c in weekly | monthly):
        errors[SettingsField.WEEKLY_CHANNELS] = "Pick channels, not direct messages."

    next_round_at = None
    if cadence is not None and cadence != "off":
        kept = current.next_round_at if current else None
        next_round_at = _next_round(form.next_round_date, tz, start or 9, now, kept, errors)

    if errors:
        raise InvalidInput(errors)
    assert cadence and odd and frequency and start is not None and end is not None and threshold
    return AdminSettings(
        round_cadence=cadence,
        next_round_at=next_round_at,
        odd_person=odd,
        forbid_same_team=form.forbid_same_team,
        default_frequency=frequency,
        work_start_hour=start,
        work_end_hour=end,
        quiet_days=tuple(sorted(quiet)),
        privacy_threshold=threshold,
        manager_ids=tuple(managers),
        summary_subscriptions=tuple(
            sorted([(c, "weekly") for c in weekly] + [(c, "monthly") for c in monthly])
        ),
    )


def update_settings(
    *,
    session: Session,
    team_id: str,
    actor_id: str,
    actor_is_admin: bool,
    settings: AdminSettings,
    now: datetime,
) -> list[Change]:
    """Store the settings; one audit row per field that changed. Returns the changes."""
    require_admin(actor_is_admin)
    ensure_workspace(session=session, team_id=team_id, now=now)
    before = current_settings(session=session, team_id=team_id)
    if settings.next_round_at is None and settings.round_cadence != "off":
        # No date picked (the form may have opened before the program had its first round):
        # the round already planned stays.
        settings = replace(settings, next_round_at=before.next_round_at)
    changes = [
        Change(
            f.name, actor_id, _jsonable(getattr(before, f.name)), _jsonable(getattr(settings, f.name)), now
        )
        for f in fields(AdminSettings)
        if getattr(before, f.name) != getattr(settings, f.name)
    ]
    if not changes:
        return []
    row = session.get(ProgramSettings, team_id)
    if row is None:
        row = ProgramSettings(team_id=team_id)
        session.add(row)
    row.round_cadence = settings.round_cadence
    row.next_round_at = settings.next_round_at
    row.odd_person = settings.odd_person
    row.forbid_same_team = settings.forbid_same_team
    row.default_frequency = settings.default_frequency
    row.work_start_hour = settings.work_start_hour
    row.work_end_hour = settings.work_end_hour
    row.quiet_days = list(settings.quiet_days)
    row.privacy_threshold = settings.privacy_threshold
    row.manager_ids = list(settings.manager_ids)
    row.updated_at = now
    if before.summary_subscriptions != settings.summary_subscriptions:
        _store_subscriptions(session, team_id, settings.summary_subscriptions, now)
    for change in changes:
        session.add(
            AuditLog(
                team_id=team_id,
                actor_id=actor_id,
                field=change.field,
                old_value=change.old,
                new_value=change.new,
                changed_at=now,
            )
        )
    session.flush()
    return changes


def recent_changes(*, session: Session, team_id: str, limit: int = 5) -> list[Change]:
    rows = session.scalars(
        select(AuditLog)
        .where(AuditLog.team_id == team_id)
        .order_by(AuditLog.changed_at.desc(), AuditLog.id.desc())
        .limit(limit)
    )
    return [Change(r.field, r.actor_id, r.old_value, r.new_value, r.changed_at) for r in rows]


# --- helpers -------------------------------------------------------------------------------


def _store_subscriptions(
    session: Session, team_id: str, wanted: Sequence[tuple[str, str]], now: datetime
) -> None:
    existing = {
        s.channel_id: s
        for s in session.scalars(select(SummarySubscription).where(SummarySubscription.team_id == team_id))
    }
    wanted_by_channel = dict(wanted)
    for channel_id, sub in existing.items():
        if channel_id not in wanted_by_channel:
            session.delete(sub)
        elif sub.cadence != wanted_by_channel[channel_id]:
            sub.cadence = wanted_by_channel[channel_id]
            sub.created_at = now  # the new cadence starts with its next period
    for channel_id, cadence in wanted_by_channel.items():
        if channel_id not in existing:
            session.add(
                SummarySubscription(team_id=team_id, channel_id=channel_id, cadence=cadence, created_at=now)
            )


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


def _one_of(value: str | None, allowed: Sequence[str], field: str, errors: dict[str, str]) -> str | None:
    if not value:
        errors[field] = "Please choose one."
        return None
    if value not in allowed:
        errors[field] = "Pick from the list."
        return None
    return value


def _hour(text: str | None, low: int, high: int, field: str, errors: dict[str, str]) -> int | None:
    if text is None or not text.isdigit() or not low <= int(text) <= high:
        errors[field] = "Pick an hour from the list."
        return None
    return int(text)


def _next_round(
    text: str | None, tz: str, start_hour: int, now: datetime, kept: datetime | None, errors: dict[str, str]
) -> datetime | None:
    """The date picked, at the start of working hours in the admin's own time zone. Left
    empty with rounds on, the round already planned stays (by default the program's first
    round, bot/services/program.py): rounds are turned off with the cadence, not the date."""
    if not text:
        return kept
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[SettingsField.NEXT_ROUND_DATE] = "Pick a date from the calendar."
        return None
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    if kept is not None and kept.astimezone(zone).date() == day:
        return kept
    if day < now.astimezone(zone).date():
        errors[SettingsField.NEXT_ROUND_DATE] = "Pick today or a later date."
        return None
    return datetime.combine(day, time(min(start_hour, 23)), tzinfo=zone).astimezone(UTC)
