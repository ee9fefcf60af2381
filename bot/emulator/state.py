"""What the fake Slack knows: workspaces, people, conversations, views, triggers, files.

Plain data, no HTTP. Every mutation happens under FakeSlack's lock, so nothing here locks.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

ConversationKind = Literal["channel", "im", "mpim"]

TRIGGER_TTL_S = 3.0  # (Slack) a trigger_id is valid for 3 s ...
RESPONSE_URL_USES = 5  # (Slack) ... a response_url for 5 uses within 30 minutes
RESPONSE_URL_TTL_S = 30 * 60
MAX_MODAL_STACK = 3  # (Slack) views.push beyond this: push_limit_reached


class ApiError(Exception):
    """A Slack `{"ok": false, "error": ...}` answer, raised from inside a method handler."""

    def __init__(self, error: str, *, messages: list[str] | None = None, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []
        self.extra = extra

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error, **self.extra}
        if self.messages:
            body["response_metadata"] = {"messages": [f"[ERROR] {m}" for m in self.messages]}
        return body


@dataclass
class User:
    team_id: str
    id: str
    name: str
    real_name: str = ""
    tz: str = "Europe/London"
    is_admin: bool = False
    is_owner: bool = False
    deleted: bool = False
    is_bot: bool = False


@dataclass
class Conversation:
    team_id: str
    id: str
    kind: ConversationKind
    name: str = ""
    members: list[str] = field(default_factory=list)
    is_private: bool = False
    is_archived: bool = False
    created: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)  # oldest first


@dataclass
class Workspace:
    team_id: str
    name: str
    domain: str
    bot_user_id: str
    bot_id: str
    users: dict[str, User] = field(default_factory=dict)
    conversations: dict[str, Conversation] = field(default_factory=dict)
    usergroups: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # id -> (handle, users)
    # frozenset of the people (never the bot) -> IM/MPIM id, so the same set reuses its channel
    dms: dict[frozenset[str], str] = field(default_factory=dict)


@dataclass
class Trigger:
    id: str
    team_id: str
    user_id: str
    issued_at: float
    used: bool = False


@dataclass
class ResponseUrl:
    key: str
    issued_at: float
    uses: int = 0
    # Where the interaction happened, when known (see client_side.apply_response).
    team_id: str | None = None
    user_id: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None
    is_ephemeral: bool = False


@dataclass
class UploadedFile:
    id: str
    team_id: str
    filename: str
    length: int
    alt_txt: str = ""
    content: bytes | None = None  # None until the bytes arrive at the upload URL
    title: str = ""
    channel_id: str | None = None
    initial_comment: str = ""
    thread_ts: str | None = None
    completed: bool = False

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.filename,
            "title": self.title or self.filename,
            "size": len(self.content or b""),
            "alt_txt": self.alt_txt,
            "channels": [self.channel_id] if self.channel_id else [],
            "content": self.content,
            "initial_comment": self.initial_comment,
        }


class Ids:
    """Slack-shaped ids (uppercase prefix + base36), unique per fake, readable in failures."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def new(self, prefix: str) -> str:
        n = next(self._counter)
        digits = ""
        while n:
            n, r = divmod(n, 36)
            digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[r] + digits
        return prefix + "0F" + digits.rjust(8, "0")

    @staticmethod
    def random_suffix(n: int = 8) -> str:
        return uuid.uuid4().hex[:n]


@dataclass
class State:
    workspaces: dict[str, Workspace] = field(default_factory=dict)
    tokens: dict[str, list[str]] = field(default_factory=dict)  # token -> team_ids (org install: many)
    revoked: dict[str, str] = field(default_factory=dict)  # token -> the error it answers
    triggers: dict[str, Trigger] = field(default_factory=dict)
    response_urls: dict[str, ResponseUrl] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)  # view_id -> current view
    modal_stacks: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (team, user) -> ids
    home_views: dict[tuple[str, str], str] = field(default_factory=dict)  # (team, user) -> view id
    view_owner: dict[str, tuple[str, str]] = field(default_factory=dict)  # view id -> (team, user)
    ephemeral: list[dict[str, Any]] = field(default_factory=list)
    response_url_posts: list[dict[str, Any]] = field(default_factory=list)
    last_ts: float = 0.0
    # The manifest's features.app_home.messages_tab_enabled: off, the app cannot post in its
    # DMs (messages_tab_disabled). Read-only still lets the app post; people cannot type.
    messages_tab_enabled: bool = True
    ids: Ids = field(default_factory=Ids)

    def clear_activity(self) -> None:
        """Forget what happened, keep who exists (FakeSlack.reset)."""
        for ws in self.workspaces.values():
            ws.dms.clear()
            for cid in [c.id for c in ws.conversations.values() if c.kind != "channel"]:
                del ws.conversations[cid]
            for conv in ws.conversations.values():
                conv.messages.clear()
        self.triggers.clear()
        self.response_urls.clear()
        self.files.clear()
        self.views.clear()
        self.modal_stacks.clear()
        self.home_views.clear()
        self.view_owner.clear()
        self.ephemeral.clear()
        self.response_url_posts.clear()

    def next_ts(self, now: float) -> str:
        # Slack message ts are unique per channel and increase; keep them unique globally.
        ts = max(round(now, 6), round(self.last_ts + 0.000001, 6))
        self.last_ts = ts
        return f"{ts:.6f}"
