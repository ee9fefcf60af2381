"""Managers' team summaries: channels subscribed to a regular summary, and every summary published.

A `SummarySnapshot` is the record of one published summary: which people it counted (as
one-way 64-bit fingerprints, never user ids), and what it told the channel about each figure
(an interval: an exact count is `[n, n]`, "fewer than 5" is `[0, 4]`). Later summaries are
checked against these records so that subtracting two summaries can never reveal what the
privacy threshold hides (bot/services/disclosure.py). Nothing here names anyone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime
from bot.models.states import SummaryStatus, state_type


class SummarySubscription(Base):
    """A channel that gets its team summary every week or every month, posted by the worker."""

    __tablename__ = "summary_subscriptions"
    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(32))
    cadence: Mapped[str] = mapped_column(String(16))  # "weekly" | "monthly"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SummarySnapshot(Base):
    __tablename__ = "summary_snapshots"
    __table_args__ = (
        # A scheduled summary is claimed once per subscription and period, by whichever worker
        # gets there first; on-demand summaries have no key (NULLs never collide).
        UniqueConstraint("team_id", "delivery_key"),
        Index("ix_summary_snapshots_team_id_published_at", "team_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    # What the summary is of: "channel:C123" or "usergroup:S123".
    scope: Mapped[str] = mapped_column(String(64))
    # The period it belongs to: "2026-W10" (ISO week) or "2026-03" (month).
    period: Mapped[str] = mapped_column(String(16))
    delivery_key: Mapped[str | None] = mapped_column(String(96), nullable=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # "claimed" while it is being posted, then "posted" or "failed". Every status counts as
    # published for the subtraction guard (the safe side); only "posted" is compared with.
    status: Mapped[SummaryStatus] = mapped_column(state_type(SummaryStatus, "status"))
    team_size: Mapped[int] = mapped_column(Integer)
    counted_size: Mapped[int] = mapped_column(Integer)
    # Sorted little-endian 64-bit fingerprints of the people counted (see summaries.fingerprint).
    members: Mapped[bytes] = mapped_column(LargeBinary)
    members_digest: Mapped[str] = mapped_column(String(64))
    threshold: Mapped[int] = mapped_column(Integer)
    # figure name -> [low, high]: what the summary said (hidden figures: the whole range).
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
