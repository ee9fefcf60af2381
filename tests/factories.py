"""Rows for service tests, created through the ORM with plain, overridable defaults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.models import Profile, Workspace

DEFAULT_NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def make_workspace(session: Session, team_id: str = "T1", *, now: datetime = DEFAULT_NOW) -> Workspace:
    workspace = session.get(Workspace, team_id)
    if workspace is None:
        workspace = Workspace(team_id=team_id, created_at=now)
        session.add(workspace)
        session.flush()
    return workspace


def make_profile(
    session: Session, user_id: str, *, team_id: str = "T1", now: datetime = DEFAULT_NOW, **fields: Any
) -> Profile:
    """A profile with nothing in common with anyone unless `fields` says so.

    Defaults are deliberately neutral (no topics, no goals, "other" function, no team, no
    background) so each test states exactly the facts it is about.
    """
    make_workspace(session, team_id, now=now)
    values: dict[str, Any] = {
        "can_share": [],
        "want_to_grow": [],
        "career_goals": [],
        "experience_level": "mid",
        "function": "other",
        "team_name": "",
        "background": "",
        "meeting_ways": ["video"],
        "frequency": "biweekly",
        "feedback_commitment": True,
        "tz": "Europe/London",
        "paused": False,
        "paused_until": None,
        "joined_at": now,
        "updated_at": now,
    }
    values.update(fields)
    profile = Profile(team_id=team_id, user_id=user_id, **values)
    session.add(profile)
    session.flush()
    return profile
