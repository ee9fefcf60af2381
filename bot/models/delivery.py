"""What the worker knows about reaching people and workspaces on Slack.

`Recipient` caches each person's DM channel id (conversations.open is Tier 3) and when Slack
last confirmed they still exist; once Slack says they are gone (deactivated, not found),
nothing more is sent to them. `WorkspaceDelivery` holds a workspace's sending state: stopped
because Slack refused the token, and when the worker last checked.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime


class Recipient(Base):
    __tablename__ = "recipients"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    dm_channel_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # When users.info / users.list last said this person is active.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    gone_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    gone_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)


class WorkspaceDelivery(Base):
    __tablename__ = "workspace_delivery"

    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    # Set when Slack refused the token (invalid_auth, token_revoked, …): nothing is sent.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The last time a stopped workspace's token was tried again (auth.test).
    auth_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The last users.list sweep for deactivated people.
    directory_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
