"""The audit log of program settings: who changed what, from what to what, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime


class AuditLog(Base):
    """One changed setting. Values are stored as JSON (instants as ISO-8601 strings)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_team_id_changed_at", "team_id", "changed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    # The Slack user who made the change; "deleted" once they have erased their data.
    actor_id: Mapped[str] = mapped_column(String(32))
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
