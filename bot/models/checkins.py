"""Check-ins: one per pair per period of its agreed frequency, and each member's answer.

`Checkin.number` counts a pair's periods (1, 2, …); the row is created when the period's
check-in falls due, so a pair has at most one open check-in, the newest. Its `outcome` is
settled when the next one falls due:

    met      someone said "We met"
    skipped  nobody met, and someone chose "Skip this time"
    missed   nobody answered either way
    paused   someone in the pair was paused (periods while paused are recorded this way too)

Missed check-ins in a row escalate (`escalation` on the next one): two give a gentle note in
the next check-in, a third replaces it with an offer (keep going / pause / rematch) and
check-ins wait for an answer (`decision`), so nobody is nagged forever.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import Base, UTCDateTime
from bot.models.states import CheckinAnswerKind, CheckinOutcome, Escalation, QuietDecision, state_type


class Checkin(Base):
    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("pair_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), index=True
    )
    pair_id: Mapped[int] = mapped_column(Integer, ForeignKey("pairs.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    # The schedule: due = anchor + step periods of `frequency` (calendar months for "monthly",
    # so the 31st never drifts to the 28th). A new frequency starts a new anchor.
    anchor_at: Mapped[datetime] = mapped_column(UTCDateTime())
    step: Mapped[int] = mapped_column(Integer)
    frequency: Mapped[str] = mapped_column(String(16))
    rules_version: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[CheckinOutcome | None] = mapped_column(
        state_type(CheckinOutcome, "outcome"), nullable=True
    )
    escalation: Mapped[Escalation] = mapped_column(
        state_type(Escalation, "escalation"), default=Escalation.NONE
    )
    # After an offer.
    decision: Mapped[QuietDecision | None] = mapped_column(
        state_type(QuietDecision, "decision"), nullable=True
    )
    decided_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    answers: Mapped[list[CheckinAnswer]] = relationship(
        back_populates="checkin",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="CheckinAnswer.id",
    )


class CheckinAnswer(Base):
    """One member's answer: "met", "not_yet" (may still change) or "skip"."""

    __tablename__ = "checkin_answers"
    __table_args__ = (
        UniqueConstraint("checkin_id", "user_id"),
        Index("ix_checkin_answers_team_id_user_id", "team_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    checkin_id: Mapped[int] = mapped_column(Integer, ForeignKey("checkins.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    answer: Mapped[CheckinAnswerKind] = mapped_column(state_type(CheckinAnswerKind, "answer"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())

    checkin: Mapped[Checkin] = relationship(back_populates="answers")
