"""What a person's Slack client shows, and what Slack does with replies that never go through
the Web API: a slash command's acknowledgement body and posts to a `response_url`.

Slack shows a command's ack body to the person who typed it, as an ephemeral message in that
conversation (`response_type: in_channel` posts it for everyone instead). A response URL that
knows where its interaction happened (FakeSlack.new_response_url with an origin) is applied
the same way: by default a new ephemeral message for that person; `replace_original` replaces
the message the button was in (an ephemeral one only for that person, a posted one for
everyone); `delete_original` removes it; `in_channel` posts a new message as the app.
A response URL without an origin is only recorded, as before.

Everything here runs under FakeSlack's lock.
"""

from __future__ import annotations

import copy
from typing import Any

from . import api_conversations, api_people
from .context import Ctx
from .normalize import normalize_blocks
from .state import Conversation, ResponseUrl, State, Workspace

# ---------------------------------------------------------------- replies outside the Web API


def show_command_reply(
    state: State,
    now: float,
    *,
    team_id: str,
    user_id: str,
    channel_id: str,
    body: dict[str, Any],
    response_url: str | None = None,
) -> str | None:
    """Show a slash command's ack body as Slack does; returns the new message's ts, or None
    when the body says nothing (an empty ack shows nothing)."""
    if not (body.get("text") or body.get("blocks")):
        return None
    if body.get("response_type") == "in_channel":
        return _post_as_app(state, now, team_id, channel_id, body)
    return _add_ephemeral(state, now, team_id, user_id, channel_id, body, response_url)


def apply_response(state: State, now: float, entry: ResponseUrl, url: str, body: dict[str, Any]) -> None:
    """Apply an accepted response_url post to what people see, where the URL's origin is known."""
    if entry.team_id is None or entry.user_id is None or entry.channel_id is None:
        return
    team_id, user_id, channel_id = entry.team_id, entry.user_id, entry.channel_id
    if body.get("delete_original"):
        _delete_original(state, entry, url)
        return
    if body.get("replace_original") and _replace_original(state, now, entry, url, body):
        return
    if body.get("response_type") == "in_channel":
        _post_as_app(state, now, team_id, channel_id, body)
    else:
        _add_ephemeral(state, now, team_id, user_id, channel_id, body, url)


def _content(state: State, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": str(body.get("text") or ""),
        "blocks": normalize_blocks(list(body.get("blocks") or []), state.ids),
    }


def _add_ephemeral(
    state: State,
    now: float,
    team_id: str,
    user_id: str,
    channel_id: str,
    body: dict[str, Any],
    response_url: str | None,
) -> str:
    ts = state.next_ts(now)
    state.ephemeral.append(
        {
            "channel": channel_id,
            "user": user_id,
            "ts": ts,
            **_content(state, body),
            "team": team_id,
            "response_url": response_url,
        }
    )
    return ts


def _post_as_app(state: State, now: float, team_id: str, channel_id: str, body: dict[str, Any]) -> str | None:
    ws = state.workspaces[team_id]
    conv = ws.conversations.get(channel_id)
    if conv is None:
        return None
    ts = state.next_ts(now)
    conv.messages.append(
        {
            "type": "message",
            "ts": ts,
            "user": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "app_id": api_conversations.APP_ID,
            "team": team_id,
            **_content(state, body),
            "metadata": None,
            "thread_ts": None,
        }
    )
    return ts


def _replace_original(state: State, now: float, entry: ResponseUrl, url: str, body: dict[str, Any]) -> bool:
    """True when there was an original to replace."""
    content = _content(state, body)
    if entry.message_ts and not entry.is_ephemeral:
        conv = _conversation(state, entry)
        message = _find(conv.messages, entry.message_ts) if conv else None
        if conv is None or message is None:
            return False
        message.update(content)
        message["edited"] = {"user": state.workspaces[conv.team_id].bot_user_id, "ts": state.next_ts(now)}
        return True
    target = _ephemeral_original(state, entry, url)
    if target is None:
        return False
    target.update(content)
    target["response_url"] = target.get("response_url") or url
    return True


def _delete_original(state: State, entry: ResponseUrl, url: str) -> None:
    if entry.message_ts and not entry.is_ephemeral:
        conv = _conversation(state, entry)
        if conv is not None:
            conv.messages[:] = [m for m in conv.messages if m["ts"] != entry.message_ts]
        return
    target = _ephemeral_original(state, entry, url)
    if target is not None:
        state.ephemeral.remove(target)


def _ephemeral_original(state: State, entry: ResponseUrl, url: str) -> dict[str, Any] | None:
    """The ephemeral message an interaction came from: the one clicked in, or (for a slash
    command's URL) the latest reply to that command."""
    mine = [
        e for e in state.ephemeral if e.get("user") == entry.user_id and e.get("channel") == entry.channel_id
    ]
    if entry.message_ts:
        return _find(mine, entry.message_ts)
    linked = [e for e in mine if e.get("response_url") == url]
    return linked[-1] if linked else None


def _conversation(state: State, entry: ResponseUrl) -> Conversation | None:
    ws = state.workspaces.get(entry.team_id or "")
    return ws.conversations.get(entry.channel_id or "") if ws else None


def _find(messages: list[dict[str, Any]], ts: str) -> dict[str, Any] | None:
    return next((m for m in messages if m.get("ts") == ts), None)


# ---------------------------------------------------------------- what a person sees


def open_app_dm(state: State, now: float, base_url: str, team_id: str, user_id: str) -> str:
    """The person's DM with the app (it exists in Slack from the start; here it is opened
    the way conversations.open opens it)."""
    ctx = Ctx(
        state=state,
        method="conversations.open",
        args={},
        token="",
        team_ids=[team_id],
        now=now,
        base_url=base_url,
    )
    conv, _already = api_conversations.open_dm(ctx, [user_id])
    return conv.id


def conversations_for(state: State, team_id: str, user_id: str) -> list[dict[str, Any]]:
    """The conversations a person is in: channels (by name), their DM with the app, their
    group DMs; each with its messages, oldest first (edits applied)."""
    ws = state.workspaces[team_id]
    found: list[dict[str, Any]] = []
    for conv in ws.conversations.values():
        if user_id not in conv.members:
            continue
        found.append(
            {
                "id": conv.id,
                "kind": conv.kind,
                "name": conv.name,
                "members": [m for m in conv.members if m != ws.bot_user_id],
                "is_private": conv.is_private,
                "is_archived": conv.is_archived,
                "created": conv.created,
                "messages": copy.deepcopy(conv.messages),
            }
        )
    order = {"im": 0, "channel": 1, "mpim": 2}
    found.sort(key=lambda c: (order[c["kind"]], c["name"] if c["kind"] == "channel" else c["created"]))
    return found


def ephemeral_for(state: State, team_id: str, user_id: str) -> list[dict[str, Any]]:
    """Ephemeral messages only this person sees, oldest first: chat.postEphemeral, command
    replies and response_url replies."""
    ws = state.workspaces[team_id]
    return [
        copy.deepcopy(e)
        for e in state.ephemeral
        if e.get("user") == user_id and (e.get("team") == team_id or e.get("channel") in ws.conversations)
    ]


def people(state: State, team_id: str, now: float) -> list[dict[str, Any]]:
    """users.list's view of the workspace (the bot user included, as Slack lists it)."""
    return [api_people.user_object(u, now) for u in state.workspaces[team_id].users.values()]


def channels(state: State, team_id: str) -> list[dict[str, Any]]:
    ws: Workspace = state.workspaces[team_id]
    return [
        {
            "id": c.id,
            "name": c.name,
            "is_private": c.is_private,
            "is_archived": c.is_archived,
            "is_member": ws.bot_user_id in c.members,
        }
        for c in ws.conversations.values()
        if c.kind == "channel"
    ]
