"""Which OAuth scope each Web API method needs, and the bot scopes the app's manifest grants.

From Slack's method reference pages (the "Required scopes" box, bot tokens). Where the scope
depends on the conversation, Slack checks the one for its type: a public channel needs the
`channels:` scope, a private channel `groups:`, a DM `im:` and a group DM `mpim:` (the
method pages list all four). `conversations.open` needs `im:write` for one person and
`mpim:write` for several. Methods not listed need no scope (auth.test, views.*,
chat.getPermalink). A method the emulator implements but this table forgets is refused:
see `needed_scope`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .context import Ctx
from .state import ApiError, Conversation

MANIFEST = Path(__file__).resolve().parents[2] / "slack-app-manifest.yml"

NO_SCOPE = frozenset(
    {"auth.test", "views.open", "views.push", "views.update", "views.publish", "chat.getPermalink"}
)
FIXED_SCOPES: dict[str, str] = {
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.update": "chat:write",
    "users.info": "users:read",
    "users.list": "users:read",
    "usergroups.list": "usergroups:read",
    "usergroups.users.list": "usergroups:read",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
}
# Methods whose scope is "<family>:<suffix>" by the conversation's type.
BY_CONVERSATION_TYPE: dict[str, str] = {
    "conversations.members": "read",
    "conversations.history": "history",
    "conversations.info": "read",
}


def family(conv: Conversation) -> str:
    if conv.kind == "im":
        return "im"
    if conv.kind == "mpim":
        return "mpim"
    return "groups" if conv.is_private else "channels"


def _open_scope(ctx: Ctx) -> str:
    channel = ctx.opt("channel")
    if channel:
        return f"{family(ctx.find_conversation(channel))}:write"
    users = [u for u in (ctx.opt("users") or "").split(",") if u.strip()]
    return "mpim:write" if len(users) > 1 else "im:write"


SCOPE_RULES: dict[str, Callable[[Ctx], str]] = {"conversations.open": _open_scope}


def needed_scope(ctx: Ctx) -> str | None:
    """The scope this call needs, or None. Unknown conversations resolve to None here, so the
    method itself answers channel_not_found as Slack does."""
    method = ctx.method
    if method in NO_SCOPE:
        return None
    if method in FIXED_SCOPES:
        return FIXED_SCOPES[method]
    try:
        if method in BY_CONVERSATION_TYPE:
            conv = ctx.find_conversation(ctx.arg("channel"))
            return f"{family(conv)}:{BY_CONVERSATION_TYPE[method]}"
        if method in SCOPE_RULES:
            return SCOPE_RULES[method](ctx)
    except ApiError:
        return None
    # Stricter than Slack: a method nobody looked up is refused rather than allowed.
    return f"unknown_scope_for:{method}"


def load_manifest(path: Path = MANIFEST) -> dict[str, Any]:
    with path.open(encoding="utf-8") as file:
        manifest = yaml.safe_load(file)
    if not isinstance(manifest, dict):
        raise ValueError(f"{path} is not a YAML mapping")
    return manifest


@cache
def manifest_bot_scopes(path: Path = MANIFEST) -> frozenset[str]:
    """The bot scopes an install of the app from this manifest is granted."""
    scopes = ((load_manifest(path).get("oauth_config") or {}).get("scopes") or {}).get("bot") or []
    return frozenset(str(s) for s in scopes)


def every_scope() -> frozenset[str]:
    """Every scope the table knows: for tests of the emulator's other rules."""
    by_type = {
        f"{f}:{s}" for s in BY_CONVERSATION_TYPE.values() for f in ("channels", "groups", "im", "mpim")
    }
    opens = {f"{f}:write" for f in ("im", "mpim", "groups", "channels")}
    return frozenset({*FIXED_SCOPES.values(), *by_type, *opens})
