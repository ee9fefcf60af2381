"""Joining the program: profiles, pause, resume and leave."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Profile, Workspace
from bot.services import options
from bot.services.errors import DomainError, InvalidInput, NotJoined
from bot.services.rows import insert_unless_present


@dataclass(frozen=True)
class ProfileAnswers:
    """The profile form's answers, as a person gave them (before validation)."""

    can_share: list[str]
    can_share_other: str
    want_to_grow: list[str]
    want_to_grow_other: str
    career_goals: list[str]
    experience_level: str | None
    function: str | None
    team_name: str
    background: str
    meeting_ways: list[str]
    frequency: str | None
    feedback_commitment: bool


@dataclass(frozen=True)
class ValidProfile:
    can_share: list[str]
    want_to_grow: list[str]
    career_goals: list[str]
    experience_level: str
    function: str
    team_name: str
    background: str
    meeting_ways: list[str]
    frequency: str


def ensure_workspace(*, session: Session, team_id: str, now: datetime) -> Workspace:
    workspace = session.get(Workspace, team_id)
    if workspace is None:  # the first request from a workspace; others may arrive alongside it
        insert_unless_present(session, Workspace, team_id=team_id, created_at=now)
        workspace = session.get_one(Workspace, team_id)
    return workspace


def get_profile(*, session: Session, team_id: str, user_id: str) -> Profile | None:
    return session.scalar(select(Profile).where(Profile.team_id == team_id, Profile.user_id == user_id))


def require_profile(*, session: Session, team_id: str, user_id: str) -> Profile:
    profile = get_profile(session=session, team_id=team_id, user_id=user_id)
    if profile is None:
        raise NotJoined()
    return profile


def validate_answers(answers: ProfileAnswers) -> ValidProfile:
    """Check every field; raise InvalidInput naming each bad one. Nothing is stored here."""
    errors: dict[str, str] = {}

    can_share = _topics(answers.can_share, answers.can_share_other, "can_share", errors)
    want_to_grow = _topics(answers.want_to_grow, answers.want_to_grow_other, "want_to_grow", errors)
    if "can_share" not in errors and "can_share_other" not in errors and not can_share:
        errors["can_share"] = "Pick at least one thing you can share."
    if "want_to_grow" not in errors and "want_to_grow_other" not in errors and not want_to_grow:
        errors["want_to_grow"] = "Pick at least one thing you want to grow."

    goals = _known_labels(answers.career_goals, options.CAREER_GOALS, "career_goals", errors)
    if "career_goals" not in errors and len(goals) > options.MAX_TOPICS:
        errors["career_goals"] = f"Pick at most {options.MAX_TOPICS} goals."

    level = _one_of(answers.experience_level, options.EXPERIENCE_LEVELS, "experience_level", errors)
    function = _one_of(answers.function, options.FUNCTIONS, "function", errors)
    frequency = _one_of(answers.frequency, options.FREQUENCIES, "frequency", errors)

    team_name = " ".join(answers.team_name.split())
    if not team_name:
        errors["team_name"] = "Tell us your team, e.g. “Payments” or “Brand design”."
    elif len(team_name) > options.MAX_TEAM_NAME:
        errors["team_name"] = f"Keep it under {options.MAX_TEAM_NAME} characters."

    background = answers.background.strip()
    if len(background) > options.MAX_BACKGROUND:
        errors["background"] = (
            f"Keep it under {options.MAX_BACKGROUND} characters (it has {len(background)})."
        )

    ways = sorted(set(answers.meeting_ways))
    if not ways:
        errors["meeting_ways"] = "Pick at least one way to meet."
    elif not set(ways) <= options.values(options.MEETING_WAYS):
        errors["meeting_ways"] = "Pick from the listed ways to meet."

    if not answers.feedback_commitment:
        errors["feedback_commitment"] = (
            "Peer mentoring works when both give and receive feedback. Tick the box to join."
        )

    if errors:
        raise InvalidInput(errors)
    assert level and function and frequency  # guaranteed when there are no errors
    return ValidProfile(
        can_share=can_share,
        want_to_grow=want_to_grow,
        career_goals=goals,
        experience_level=level,
        function=function,
        team_name=team_name,
        background=background,
        meeting_ways=[w for w in (c.value for c in options.MEETING_WAYS) if w in ways],
        frequency=frequency,
    )


def save_profile(
    *, session: Session, team_id: str, user_id: str, profile: ValidProfile, tz: str | None, now: datetime
) -> bool:
    """Create or update the person's profile. Returns True when they have just joined.

    `tz` None keeps the time zone on record (UTC for someone new, until Slack tells us).
    """
    ensure_workspace(session=session, team_id=team_id, now=now)
    row = get_profile(session=session, team_id=team_id, user_id=user_id)
    created = row is None
    if row is None:
        row = Profile(team_id=team_id, user_id=user_id, joined_at=now, paused=False)
        session.add(row)
    row.can_share = profile.can_share
    row.want_to_grow = profile.want_to_grow
    row.career_goals = profile.career_goals
    row.experience_level = profile.experience_level
    row.function = profile.function
    row.team_name = profile.team_name
    row.background = profile.background
    row.meeting_ways = profile.meeting_ways
    row.frequency = profile.frequency
    row.feedback_commitment = True
    row.tz = tz or row.tz or "UTC"
    row.updated_at = now
    session.flush()
    return created


def set_timezone(*, session: Session, team_id: str, user_id: str, tz: str) -> None:
    """Record the person's IANA zone as Slack reports it (it drives when check-ins arrive)."""
    profile = get_profile(session=session, team_id=team_id, user_id=user_id)
    if profile is not None and profile.tz != tz:
        profile.tz = tz
        session.flush()


def is_paused(profile: Profile, now: datetime) -> bool:
    """A pause with an end date is over once that date passes, even before the worker notices."""
    if not profile.paused:
        return False
    return profile.paused_until is None or profile.paused_until > now


def parse_pause_weeks(text: str) -> int | None:
    """`pause` → None (until resumed); `pause 3` → 3. Anything else is explained."""
    text = text.strip().lower()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,3})\s*(w|wk|wks|week|weeks)?", text)
    if match is None:
        raise DomainError(
            "To pause, type `/peer-mentor pause` (until you resume) or `/peer-mentor pause 3` (three weeks)."
        )
    weeks = int(match.group(1))
    if not 1 <= weeks <= options.MAX_PAUSE_WEEKS:
        raise DomainError(f"A pause can last from 1 to {options.MAX_PAUSE_WEEKS} weeks.")
    return weeks


def pause(*, session: Session, team_id: str, user_id: str, weeks: int | None, now: datetime) -> Profile:
    if weeks is not None and not 1 <= weeks <= options.MAX_PAUSE_WEEKS:
        raise DomainError(f"A pause can last from 1 to {options.MAX_PAUSE_WEEKS} weeks.")
    profile = require_profile(session=session, team_id=team_id, user_id=user_id)
    profile.paused = True
    profile.paused_until = now + timedelta(weeks=weeks) if weeks else None
    profile.updated_at = now
    session.flush()
    return profile


def resume(*, session: Session, team_id: str, user_id: str, now: datetime) -> Profile:
    profile = require_profile(session=session, team_id=team_id, user_id=user_id)
    profile.paused = False
    profile.paused_until = None
    profile.updated_at = now
    session.flush()
    return profile


def end_expired_pauses(*, session: Session, now: datetime) -> list[Profile]:
    """Clear pauses whose end date has passed; returns who is back, for a welcome message."""
    rows = session.scalars(
        select(Profile).where(
            Profile.paused.is_(True),
            Profile.paused_until.is_not(None),
            Profile.paused_until <= now,
        )
    ).all()
    for profile in rows:
        profile.paused = False
        profile.paused_until = None
        profile.updated_at = now
    session.flush()
    return list(rows)


def leave(*, session: Session, team_id: str, user_id: str, now: datetime) -> None:
    """Opt out: the profile (every answer) is deleted. Past pairings are kept only as hashes."""
    profile = require_profile(session=session, team_id=team_id, user_id=user_id)
    session.delete(profile)
    session.flush()


# --- helpers -------------------------------------------------------------------------


def _topics(selected: list[str], other: str, field: str, errors: dict[str, str]) -> list[str]:
    labels = _known_labels(selected, options.TOPICS, field, errors)
    extras = [" ".join(part.split()) for part in re.split(r"[,;\n]", other)]
    extras = [e for e in extras if e]
    other_field = f"{field}_other"
    if len(other) > options.MAX_EXTRA_TOPICS_TEXT:
        errors[other_field] = f"Keep it under {options.MAX_EXTRA_TOPICS_TEXT} characters."
    elif len(extras) > options.MAX_EXTRA_TOPICS:
        errors[other_field] = f"Add at most {options.MAX_EXTRA_TOPICS} topics, separated by commas."
    elif any(len(e) > options.MAX_TOPIC_LENGTH for e in extras):
        errors[other_field] = (
            f"Keep each topic under {options.MAX_TOPIC_LENGTH} characters, separated by commas."
        )
    if field in errors or other_field in errors:
        return []
    if len(labels) > options.MAX_TOPICS:
        errors[field] = f"Pick at most {options.MAX_TOPICS}."
        return []
    merged: list[str] = []
    seen: set[str] = set()
    for label in labels + [options.canonical_label(options.TOPICS, e) for e in extras]:
        key = options.topic_key(label)
        if key not in seen:
            seen.add(key)
            merged.append(label)
    return merged


def _known_labels(
    values: list[str], choices: tuple[options.Choice, ...], field: str, errors: dict[str, str]
) -> list[str]:
    known = {c.value: c.label for c in choices}
    if any(v not in known for v in values):
        errors[field] = "Pick from the list."
        return []
    return [known[v] for v in dict.fromkeys(values)]


def _one_of(
    value: str | None, choices: tuple[options.Choice, ...], field: str, errors: dict[str, str]
) -> str | None:
    if not value:
        errors[field] = "Please choose one."
        return None
    if value not in options.values(choices):
        errors[field] = "Pick from the list."
        return None
    return value
