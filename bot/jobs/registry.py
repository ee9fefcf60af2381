"""Message kinds and planners: how the worker is extended.

A **kind** says how to build the message of an outbox row at the moment it is sent (rows
hold references, so the words are always current and never queued), and how it is sent: to
a person (a DM, only if they opted in, are not gone, in their working hours; cancelled or
held back while they are paused) or to a channel as is.

A **planner** runs once per workspace on every tick, inside that workspace's planning
transaction, and adds rows with `bot.services.outbox.plan`. Rows are unique by (kind, pair,
period, recipient), so a planner may run every minute and on several workers at once.

Adding a scheduled job — for instance the manager summaries:

    # bot/jobs/summaries.py
    from bot.jobs.registry import Content, MessageKind, register_kind, register_planner
    from bot.services import outbox

    def plan_summaries(session, team_id, now):          # every tick, per workspace
        for channel_id, period, due_at in ...:          # what is due, from your service
            outbox.plan(session=session, team_id=team_id, kind="manager_summary",
                        recipient=channel_id, period=period, due_at=due_at, now=now)

    def render_summary(session, row, now):              # when the row is sent
        return Content(text, blocks)                    # or None: nothing to send, cancel

    register_planner("manager_summaries", plan_summaries)
    register_kind(MessageKind("manager_summary", render_summary, to_person=False))

then add "bot.jobs.summaries" to `JOB_MODULES` below. A renderer may raise a DomainError to
cancel the row (say, the reader may no longer see what it would show).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.services.outbox import OutboxRow

JOB_MODULES: tuple[str, ...] = ("bot.jobs.messages", "bot.jobs.rounds")


@dataclass(frozen=True)
class Content:
    text: str
    blocks: list[dict[str, Any]]


Renderer = Callable[[Session, OutboxRow, datetime], Content | None]
Planner = Callable[[Session, str, datetime], None]


@dataclass(frozen=True)
class MessageKind:
    name: str
    render: Renderer
    # A DM to one person (recipient is a user id). False: a channel or group DM, sent as is.
    to_person: bool = True
    # While the recipient is paused: "cancel" the message, or "defer" it until they are back.
    when_paused: str = "cancel"


KINDS: dict[str, MessageKind] = {}
PLANNERS: dict[str, Planner] = {}


def register_kind(kind: MessageKind) -> MessageKind:
    if kind.when_paused not in ("cancel", "defer"):
        raise ValueError(f"when_paused must be 'cancel' or 'defer', not {kind.when_paused!r}")
    KINDS[kind.name] = kind
    return kind


def register_planner(name: str, planner: Planner) -> Planner:
    PLANNERS[name] = planner
    return planner


def load() -> None:
    """Import the job modules, which register their kinds and planners."""
    for module in JOB_MODULES:
        importlib.import_module(module)
