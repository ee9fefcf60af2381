"""A pair's ground rules: versioned proposals, and who agreed to which version.

Every change is a new `RulesProposal` with the next version number; nothing is overwritten,
so the history of what a pair agreed stays on record. Status moves one way:

    pending ──(everyone agreed)──> agreed ──(a newer version agreed)──> superseded
    pending ──(a newer proposal)──> superseded

so a pair has at most one "agreed" version (the rules in force) and one "pending" one.

"What I want from this pairing" is each member's own words: `member_goals` maps user id to
text. A proposal carries everyone's goals; the proposer can only rewrite their own, the
others' are copied from the version the proposal replaces (so a counter-proposal never
loses or edits the other person's words).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import Base, UTCDateTime
from bot.models.states import RulesStatus, state_type


class RulesProposal(Base):
    __tablename__ = "rules_proposals"
    # Two members proposing at the same moment cannot both take the same version.
    __table_args__ = (UniqueConstraint("pair_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), index=True
    )
    pair_id: Mapped[int] = mapped_column(Integer, ForeignKey("pairs.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    proposed_by: Mapped[str] = mapped_column(String(32))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[RulesStatus] = mapped_column(state_type(RulesStatus, "status"))
    # Set once everyone in the pair agreed; kept after a newer version supersedes it.
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    frequency: Mapped[str] = mapped_column(String(16))  # a value of options.FREQUENCIES
    meeting_ways: Mapped[list[str]] = mapped_column(JSON)  # values of options.MEETING_WAYS
    confidential: Mapped[bool] = mapped_column(Boolean)
    confidentiality_exceptions: Mapped[str] = mapped_column(Text, default="")
    # Never shown outside the pair; check-in prompts steer clear of these.
    off_limits: Mapped[str] = mapped_column(Text, default="")
    feedback_commitment: Mapped[bool] = mapped_column(Boolean)
    respect_commitment: Mapped[bool] = mapped_column(Boolean)
    member_goals: Mapped[dict[str, str]] = mapped_column(JSON)
    # Where the proposal was posted, so it can be edited when answered or replaced.
    message_channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)

    agreements: Mapped[list[RulesAgreement]] = relationship(
        back_populates="proposal",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="RulesAgreement.id",
    )


class RulesAgreement(Base):
    """One member's "yes" to one version. The proposer's is recorded with the proposal."""

    __tablename__ = "rules_agreements"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(Integer, ForeignKey("rules_proposals.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    proposal: Mapped[RulesProposal] = relationship(back_populates="agreements")
