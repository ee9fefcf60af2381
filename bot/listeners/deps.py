"""What listeners need besides Bolt's own arguments, handed over through Bolt's `context`.

Only factories and settings travel this way: the database session is opened inside each
listener, because Bolt runs listeners after middleware has returned.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.listeners.ack_first import AcksInFlight
from bot.listeners.directory import Directory

# Slack calls each take a few hundred milliseconds from a real server, and a burst of joins
# must open every modal inside its trigger's 3 seconds. These threads give way to acks
# (bot.listeners.ack_first), so having enough of them costs the acks nothing.
AFTER_ACK_THREADS = 16


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    settings: Settings
    session_factory: sessionmaker[Session]
    directory: Directory
    clock: Callable[[], datetime] = utc_now
    # Runs work that must not delay an acknowledgement (see bot.listeners.after_ack).
    background: Executor = field(
        default_factory=lambda: ThreadPoolExecutor(
            max_workers=AFTER_ACK_THREADS, thread_name_prefix="after-ack"
        )
    )
    # The requests being answered, counted by the front door; follow-ups give way to them.
    acks: AcksInFlight = field(default_factory=AcksInFlight)


def deps_of(context: Any) -> Deps:
    deps = context["deps"]
    assert isinstance(deps, Deps)
    return deps


def team_of(body: dict[str, Any], context: Any) -> str:
    """The workspace a request belongs to; every service call is scoped by it."""
    team_id = context.get("team_id") or (body.get("team") or {}).get("id") or body.get("team_id")
    if not team_id:
        user = body.get("user") or {}
        team_id = user.get("team_id") if isinstance(user, dict) else None
    if not team_id:
        raise ValueError("request without a team id")
    return str(team_id)


def user_of(body: dict[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user["id"])
    return str(body.get("user_id") or (body.get("event") or {}).get("user"))
