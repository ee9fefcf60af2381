"""A workspace's program settings. No row means every setting is at its default."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime


class ProgramSettings(Base):
    __tablename__ = "program_settings"

    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    round_cadence: Mapped[str] = mapped_column(String(16))  # "off" | "weekly" | "biweekly" | "monthly"
    next_round_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    odd_person: Mapped[str] = mapped_column(String(16))  # "trio" | "waitlist"
    forbid_same_team: Mapped[bool] = mapped_column(Boolean)
    default_frequency: Mapped[str] = mapped_column(String(16))
    work_start_hour: Mapped[int] = mapped_column(Integer)
    work_end_hour: Mapped[int] = mapped_column(Integer)
    # ISO weekdays (1 = Monday … 7 = Sunday) when nobody is prompted.
    quiet_days: Mapped[list[int]] = mapped_column(JSON)
    privacy_threshold: Mapped[int] = mapped_column(Integer)
    manager_ids: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
