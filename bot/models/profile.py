"""A participant's opt-in profile. One row per (workspace, user); leaving deletes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime


class Profile(Base):
    __tablename__ = "profiles"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(32))
    # Topics are stored as their labels ("Public speaking"), built-in or typed by the person.
    can_share: Mapped[list[str]] = mapped_column(JSON)
    want_to_grow: Mapped[list[str]] = mapped_column(JSON)
    career_goals: Mapped[list[str]] = mapped_column(JSON)
    experience_level: Mapped[str] = mapped_column(String(32))
    function: Mapped[str] = mapped_column(String(32))
    team_name: Mapped[str] = mapped_column(String(80))
    background: Mapped[str] = mapped_column(Text, default="")
    meeting_ways: Mapped[list[str]] = mapped_column(JSON)
    frequency: Mapped[str] = mapped_column(String(16))
    feedback_commitment: Mapped[bool] = mapped_column(Boolean)
    # IANA zone from Slack's users.info, never from the form.
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # None while paused means "until I resume".
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
