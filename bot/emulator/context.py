"""One Web API call as a method handler sees it, plus the handler registry.

Handlers are `def handler(ctx: Ctx) -> dict` registered with `@api_method("users.info")`;
they return the success body (without "ok") or raise ApiError.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .state import ApiError, Conversation, State, User, Workspace

Handler = Callable[["Ctx"], dict[str, Any]]
METHODS: dict[str, Handler] = {}

T = TypeVar("T")


def api_method(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        METHODS[name] = fn
        return fn

    return register


@dataclass
class Ctx:
    state: State
    method: str
    args: dict[str, Any]
    token: str
    team_ids: list[str]  # the workspaces this token is installed in (several: org-wide install)
    now: float
    base_url: str
    team_id: str | None = None  # the workspace this call turned out to be about

    # ------------------------------------------------------------ arguments

    def arg(self, name: str) -> str:
        value = self.args.get(name)
        if value is None or value == "":
            raise ApiError("invalid_arguments", messages=[f"missing required field: {name}"])
        return str(value)

    def opt(self, name: str, default: str | None = None) -> str | None:
        value = self.args.get(name)
        return default if value is None or value == "" else str(value)

    def flag(self, name: str) -> bool:
        # slack_sdk sends booleans as "1"/"0" in forms and true/false in JSON.
        value = self.args.get(name)
        return value is True or (isinstance(value, (str, int)) and str(value).lower() in ("1", "true"))

    def int_arg(self, name: str, default: int) -> int:
        value = self.args.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError("invalid_arguments", messages=[f"{name} must be an integer"]) from None

    def json_arg(self, name: str) -> Any:
        """Structured args arrive as objects in JSON bodies and as JSON strings in forms."""
        value = self.args.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise ApiError(
                    f"invalid_{name}_format" if name == "blocks" else "invalid_arguments",
                    messages=[f"{name} is not valid JSON"],
                ) from None
        return value

    # ------------------------------------------------------------ directory look-ups

    def workspace(self, team_id: str | None = None) -> Workspace:
        team_id = team_id or self.team_id or self.team_ids[0]
        self.team_id = team_id
        return self.state.workspaces[team_id]

    def explicit_team(self) -> None:
        """Honour a `team_id` argument (org-wide tokens must name the workspace)."""
        team_id = self.opt("team_id")
        if team_id is not None:
            if team_id not in self.team_ids:
                raise ApiError("team_access_not_granted")
            self.team_id = team_id

    def find_user(self, user_id: str, *, error: str = "user_not_found") -> User:
        for ws in self._search_order():
            if user_id in ws.users:
                self.team_id = self.team_id or ws.team_id
                return ws.users[user_id]
        # Includes people who exist, but in a workspace this token cannot see.
        raise ApiError(error)

    def find_conversation(self, channel_id: str) -> Conversation:
        for ws in self._search_order():
            if channel_id in ws.conversations:
                self.team_id = self.team_id or ws.team_id
                return ws.conversations[channel_id]
        raise ApiError("channel_not_found")

    def _search_order(self) -> list[Workspace]:
        order = [self.team_id] if self.team_id else []
        order += [t for t in self.team_ids if t not in order]
        return [self.state.workspaces[t] for t in order if t in self.state.workspaces]


def paginate(items: Sequence[T], cursor: str | None, limit: int) -> tuple[list[T], str]:
    """Slack-style cursor pagination: opaque base64 cursors, "" when there is no next page."""
    offset = 0
    if cursor:
        try:
            kind, _, number = base64.b64decode(cursor.encode(), validate=True).decode().partition(":")
            offset = int(number)
            if kind != "next" or offset < 0:
                raise ValueError(cursor)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise ApiError("invalid_cursor") from None
    page = list(items[offset : offset + limit])
    end = offset + len(page)
    next_cursor = base64.b64encode(f"next:{end}".encode()).decode() if end < len(items) else ""
    return page, next_cursor
