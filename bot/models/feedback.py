"""Feedback one member gives another. Only its author and its recipient may ever read it;
bot/services/feedback.py enforces that on every read (each read names the reader).

One per author, recipient and check-in: the unique constraint holds it even when two
processes store the same person's submission at once (bot/services/feedback.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        Index("ix_feedback_team_id_pair_id", "team_id", "pair_id"),
        UniqueConstraint("pair_id", "author_id", "recipient_id", "checkin_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    pair_id: Mapped[int] = mapped_column(Integer, ForeignKey("pairs.id", ondelete="CASCADE"))
    # The check-in it belongs to: the one whose nudge it answered, else the pair's newest
    # (0 before the first). None only for feedback older than the one-per-check-in rule
    # that shared its check-in with a later one (migration 0009 keeps its words).
    checkin_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author_id: Mapped[str] = mapped_column(String(32))
    recipient_id: Mapped[str] = mapped_column(String(32))
    did_well: Mapped[str] = mapped_column(Text)
    suggestion: Mapped[str] = mapped_column(Text)
    # What the author would like feedback on next time ("" when not said).
    ask_next: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When its author last changed the words before delivery (None: never changed).
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
