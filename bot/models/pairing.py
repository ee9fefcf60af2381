"""Matching rounds and the pairs they create.

A `Pair` holds two people (three for a trio) through `PairMember` rows. `PastPairing` keeps a
one-way hash of every two-person combination ever paired, so "never the same pair twice"
survives a rematch, a person leaving, and the deletion of their data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import Base, UTCDateTime
from bot.models.states import PairStatus, state_type


class MatchRound(Base):
    """One run of the matcher: who started it, with which seed, and how it went."""

    __tablename__ = "match_rounds"
    # A preview is confirmed once: a second press finds the round it made.
    __table_args__ = (UniqueConstraint("team_id", "preview_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Kept so a round can be replayed and explained: the same seed and pool give the same pairs.
    seed: Mapped[int] = mapped_column(BigInteger)
    trigger: Mapped[str] = mapped_column(String(16))  # "admin" | "schedule"
    odd_person: Mapped[str] = mapped_column(String(16))  # "trio" | "waitlist"
    eligible_count: Mapped[int] = mapped_column(Integer)
    pair_count: Mapped[int] = mapped_column(Integer)
    trio_count: Mapped[int] = mapped_column(Integer)
    waitlisted_count: Mapped[int] = mapped_column(Integer)
    # The admin's preview this round confirmed (its modal's view id); None for scheduled rounds.
    preview_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Pair(Base):
    """Two (or three) people matched in a round. Active while `ended_at` is empty."""

    __tablename__ = "pairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), index=True
    )
    round_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("match_rounds.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # "new" after matching, "ended" once ended; the ground-rules flow adds "active".
    status: Mapped[PairStatus] = mapped_column(state_type(PairStatus, "status"), default=PairStatus.NEW)
    score: Mapped[float] = mapped_column(Float)
    # The score's breakdown, one entry per reason and two-person combination, so the
    # "why you were matched" text can be rebuilt later without the profiles.
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    members: Mapped[list[PairMember]] = relationship(
        back_populates="pair",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PairMember.id",
    )


class PairMember(Base):
    __tablename__ = "pair_members"
    __table_args__ = (
        UniqueConstraint("pair_id", "user_id"),
        # "Which pair is this person in?" is the hot lookup.
        Index("ix_pair_members_team_id_user_id", "team_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[int] = mapped_column(Integer, ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))

    pair: Mapped[Pair] = relationship(back_populates="members")


class PastPairing(Base):
    """A two-person combination that was once paired and must never be paired again.

    Only a SHA-256 of (team id, both user ids) is kept: enough to refuse a repeat, not a
    readable record of who met whom once their other data is gone.
    """

    __tablename__ = "past_pairings"
    __table_args__ = (UniqueConstraint("team_id", "pair_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    pair_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Waitlist(Base):
    """People left without a peer in a round: first in line for the next one."""

    __tablename__ = "waitlist"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    since: Mapped[datetime] = mapped_column(UTCDateTime())
