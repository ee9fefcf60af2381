"""Feedback one member gives another. Only its author and its recipient may ever read it;
bot/services/feedback.py enforces that on every read (each read names the reader)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_team_id_pair_id", "team_id", "pair_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    pair_id: Mapped[int] = mapped_column(Integer, ForeignKey("pairs.id", ondelete="CASCADE"))
    # The check-in it followed, when it came from a nudge (None: given any time).
    checkin_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author_id: Mapped[str] = mapped_column(String(32))
    recipient_id: Mapped[str] = mapped_column(String(32))
    did_well: Mapped[str] = mapped_column(Text)
    suggestion: Mapped[str] = mapped_column(Text)
    # What the author would like feedback on next time ("" when not said).
    ask_next: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
