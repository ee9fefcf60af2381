"""The worker's outbox: every message the app owes someone, one row each, sent exactly once.

A row is planned under a unique key — kind, pair, period, recipient — so planning the same
thing twice adds nothing. The worker claims due rows with a lease, sends, and marks them
sent (bot/services/outbox.py and bot/jobs/sender.py explain the states and the crash-safe
protocol). A row holds references only (ids, numbers); the words people wrote are read when
the message is built, so nothing personal sits in a queue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime
from bot.models.states import OutboxStatus, state_type


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("team_id", "key"),
        # The claim query: one workspace's pending rows in due order.
        Index("ix_outbox_team_id_status_due_at", "team_id", "status", "due_at"),
        # One person's messages, sent and waiting: their message budget (delivery_facts).
        Index("ix_outbox_team_id_recipient_status", "team_id", "recipient", "status"),
        # Rows due now in any workspace: the worker's frequent look for due rows.
        Index("ix_outbox_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    # "<kind>:<pair id or ->:<period>:<recipient>", see bot.services.outbox.outbox_key.
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("pairs.id", ondelete="CASCADE"), nullable=True, index=True
    )
    period: Mapped[str] = mapped_column(String(64))
    # A user id (a DM), a channel id (a post there) or "U1,U2" (a group DM).
    recipient: Mapped[str] = mapped_column(String(128))
    # References only (ids, flags), never people's words.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # "pending" → "sent" | "cancelled" | "failed".
    status: Mapped[OutboxStatus] = mapped_column(
        state_type(OutboxStatus, "status"), default=OutboxStatus.PENDING
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Transient failures so far (for back-off); a rate limit is not a failure.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # An attempt was started and its outcome never recorded: Slack may have the message.
    # Before sending again, the worker looks for it in the conversation (by its metadata).
    in_doubt: Mapped[bool] = mapped_column(Boolean, default=False)
    channel_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # A Slack error code or a short reason ("paused", "recipient_gone"); never free text.
    last_error: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
