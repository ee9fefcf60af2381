"""Message kinds and planners: how the worker is extended.

A **kind** says how to build the message of an outbox row at the moment it is sent (rows
hold references, so the words are always current and never queued). How it is delivered —
to a person or a channel, what a pause does to it, whether it counts against the person's
message budget and how urgent it is — is the kind's policy in bot/services/message_kinds.py,
which bot/services/delivery_policy.decide reads; every kind registered here needs one.

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
    message_kinds.define(KindPolicy("manager_summary", to_person=False, unprompted=False))
    register_kind(MessageKind("manager_summary", render_summary))

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

from bot.services.errors import DomainError
from bot.services.message_kinds import policy_of
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

    def render_safely(self, session: Session, row: OutboxRow, now: datetime) -> Content | None:
        """The message, or None when there is nothing to send (a DomainError included)."""
        try:
            return self.render(session, row, now)
        except DomainError:
            return None


KINDS: dict[str, MessageKind] = {}
PLANNERS: dict[str, Planner] = {}


def register_kind(kind: MessageKind) -> MessageKind:
    if policy_of(kind.name) is None:
        raise ValueError(
            f"message kind {kind.name!r} has no delivery policy in bot/services/message_kinds.py"
        )
    KINDS[kind.name] = kind
    return kind


def register_planner(name: str, planner: Planner) -> Planner:
    PLANNERS[name] = planner
    return planner


def load() -> None:
    """Import the job modules, which register their kinds and planners."""
    for module in JOB_MODULES:
        importlib.import_module(module)
