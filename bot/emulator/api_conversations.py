"""conversations.open/history/members and chat.postMessage/postEphemeral/update/getPermalink."""

from __future__ import annotations

import copy
from typing import Any

from . import blockkit
from .context import Ctx, api_method, paginate
from .normalize import normalize_blocks
from .state import ApiError, Conversation, ConversationKind, Workspace

APP_ID = "A0FAKEAPP"
MAX_TEXT = 40_000  # (Slack) longer message text is truncated
MAX_DM_USERS = 8  # (Slack) too_many_users beyond this


# ---------------------------------------------------------------- direct messages


def open_dm(ctx: Ctx, user_ids: list[str]) -> tuple[Conversation, bool]:
    """The IM (one person) or MPIM (2-8) with these people; (conversation, already_open)."""
    bots = {ctx.state.workspaces[t].bot_user_id for t in ctx.team_ids}
    if bots & set(user_ids):
        raise ApiError("cannot_dm_bot")
    first = ctx.find_user(user_ids[0])
    ws = ctx.workspace(first.team_id)
    for user_id in user_ids:
        user = ws.users.get(user_id)
        if user is None:
            raise ApiError("user_not_found")
        if user.is_bot or user_id == ws.bot_user_id:
            raise ApiError("cannot_dm_bot")
    # A deactivated person still gets a DM of their own without error (Slack): the app must
    # check `deleted`. A group DM with a deactivated member is refused, without saying who.
    if len(user_ids) > 1 and any(ws.users[u].deleted for u in user_ids):
        raise ApiError("user_disabled")
    key = frozenset(user_ids)
    if key in ws.dms:
        return ws.conversations[ws.dms[key]], True
    if ctx.flag("prevent_creation"):
        raise ApiError("channel_not_found")  # inferred: nothing to return when none exists
    kind: ConversationKind = "im" if len(user_ids) == 1 else "mpim"
    conv = Conversation(
        team_id=ws.team_id,
        id=ctx.state.ids.new("D" if kind == "im" else "G"),
        kind=kind,
        name="" if kind == "im" else "mpdm-" + "--".join(sorted(user_ids)) + "-1",
        members=[*user_ids, ws.bot_user_id],
        is_private=True,
        created=int(ctx.now),
    )
    ws.conversations[conv.id] = conv
    ws.dms[key] = conv.id
    return conv, False


def _channel_object(ws: Workspace, conv: Conversation) -> dict[str, Any]:
    if conv.kind == "im":
        user_id = conv.members[0]
        user = ws.users.get(user_id)
        return {
            "id": conv.id,
            "created": conv.created,
            "is_im": True,
            "is_org_shared": False,
            "user": user_id,
            "is_user_deleted": bool(user and user.deleted),
            "priority": 0,
        }
    return {
        "id": conv.id,
        "name": conv.name,
        "created": conv.created,
        "is_mpim": conv.kind == "mpim",
        "is_channel": conv.kind == "channel",
        "is_private": conv.is_private,
        "is_archived": conv.is_archived,
    }


@api_method("conversations.open")
def conversations_open(ctx: Ctx) -> dict[str, Any]:
    channel_id = ctx.opt("channel")
    if channel_id:
        conv = ctx.find_conversation(channel_id)
        if conv.kind == "channel":
            raise ApiError("method_not_supported_for_channel_type")
        already = True
    else:
        raw = ctx.opt("users") or ""
        user_ids = list(dict.fromkeys(u.strip() for u in raw.split(",") if u.strip()))
        if not user_ids:
            raise ApiError("users_list_not_supplied")
        if len(user_ids) > MAX_DM_USERS:
            raise ApiError("too_many_users")
        conv, already = open_dm(ctx, user_ids)
    ws = ctx.workspace(conv.team_id)
    channel = _channel_object(ws, conv) if ctx.flag("return_im") else {"id": conv.id}
    return {"no_op": True, "already_open": True, "channel": channel} if already else {"channel": channel}


# ---------------------------------------------------------------- reading


def _readable(ctx: Ctx, channel_id: str) -> Conversation:
    conv = ctx.find_conversation(channel_id)
    ws = ctx.workspace(conv.team_id)
    if conv.kind == "channel" and ws.bot_user_id not in conv.members:
        raise ApiError("channel_not_found" if conv.is_private else "not_in_channel")
    return conv


def public_message(message: dict[str, Any], *, with_metadata: bool) -> dict[str, Any]:
    out = {k: copy.deepcopy(v) for k, v in message.items() if v is not None and k != "metadata"}
    if not out.get("blocks"):
        out.pop("blocks", None)
    if with_metadata and message.get("metadata"):
        out["metadata"] = copy.deepcopy(message["metadata"])
    return out


@api_method("conversations.history")
def conversations_history(ctx: Ctx) -> dict[str, Any]:
    conv = _readable(ctx, ctx.arg("channel"))
    oldest = float(ctx.opt("oldest") or 0)
    latest = float(ctx.opt("latest") or ctx.now + 1)
    inclusive = ctx.flag("inclusive")

    def in_window(ts: float) -> bool:
        if inclusive:
            return oldest <= ts <= latest
        return oldest < ts < latest

    top_level = [
        m
        for m in reversed(conv.messages)  # newest first, as Slack answers
        if in_window(float(m["ts"])) and m.get("thread_ts") in (None, m["ts"])
    ]
    limit = min(max(ctx.int_arg("limit", 100), 1), 999)
    page, next_cursor = paginate(top_level, ctx.opt("cursor"), limit)
    # Slack returns other apps' metadata only with include_all_metadata; the fake is stricter
    # and requires it for every message, so an app that relies on metadata must ask for it.
    with_metadata = ctx.flag("include_all_metadata")
    return {
        "messages": [public_message(m, with_metadata=with_metadata) for m in page],
        "has_more": bool(next_cursor),
        "pin_count": 0,
        "response_metadata": {"next_cursor": next_cursor},
    }


@api_method("conversations.members")
def conversations_members(ctx: Ctx) -> dict[str, Any]:
    conv = _readable(ctx, ctx.arg("channel"))
    limit = min(max(ctx.int_arg("limit", 100), 1), 1000)
    page, next_cursor = paginate(conv.members, ctx.opt("cursor"), limit)
    return {"members": page, "response_metadata": {"next_cursor": next_cursor}}


# ---------------------------------------------------------------- writing


def _writable(ctx: Ctx, channel_id: str) -> Conversation:
    if channel_id[:1] in ("U", "W"):
        # Posting to a user id posts to the IM with that person (opening it if needed).
        try:
            ctx.find_user(channel_id)
        except ApiError:
            raise ApiError("channel_not_found") from None
        return open_dm(ctx, [channel_id])[0]
    conv = ctx.find_conversation(channel_id)
    ws = ctx.workspace(conv.team_id)
    if conv.is_archived:
        raise ApiError("is_archived")
    if conv.kind == "channel" and ws.bot_user_id not in conv.members:
        raise ApiError("channel_not_found" if conv.is_private else "not_in_channel")
    return conv


def _content(ctx: Ctx, *, require: bool) -> dict[str, Any]:
    """text / blocks / metadata of a message, validated the way Slack does."""
    content: dict[str, Any] = {}
    if "text" in ctx.args:
        content["text"] = (ctx.opt("text") or "")[:MAX_TEXT]
    if "blocks" in ctx.args:
        blocks = ctx.json_arg("blocks")
        if not isinstance(blocks, list):
            raise ApiError("invalid_blocks_format")
        errors = blockkit.problems("message", {"blocks": blocks})
        if errors:
            raise ApiError("invalid_blocks", messages=errors, errors=errors)
        content["blocks"] = normalize_blocks(blocks, ctx.state.ids)
    attachments = ctx.json_arg("attachments") if "attachments" in ctx.args else None
    if attachments:
        content["attachments"] = attachments
    if "metadata" in ctx.args:
        metadata = ctx.json_arg("metadata")
        valid = (
            isinstance(metadata, dict)
            and isinstance(metadata.get("event_type"), str)
            and metadata["event_type"]
            and isinstance(metadata.get("event_payload"), dict)
        )
        if metadata and not valid:  # {} is allowed: it clears metadata on chat.update (Slack)
            raise ApiError("invalid_metadata_format")
        content["metadata"] = metadata or None
    if require and not (content.get("text") or content.get("blocks") or attachments):
        raise ApiError("no_text")
    return content


@api_method("chat.postMessage")
def chat_post_message(ctx: Ctx) -> dict[str, Any]:
    conv = _writable(ctx, ctx.arg("channel"))
    if conv.kind == "im" and not ctx.state.messages_tab_enabled:
        raise ApiError("messages_tab_disabled")
    ws = ctx.workspace(conv.team_id)
    content = _content(ctx, require=True)
    ts = ctx.state.next_ts(ctx.now)
    message: dict[str, Any] = {
        "type": "message",
        "ts": ts,
        "user": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "app_id": APP_ID,
        "team": ws.team_id,
        "text": content.get("text", ""),
        "blocks": content.get("blocks", []),
        "metadata": content.get("metadata"),
        "thread_ts": ctx.opt("thread_ts"),
    }
    if "attachments" in content:
        message["attachments"] = content["attachments"]
    conv.messages.append(message)
    return {"channel": conv.id, "ts": ts, "message": public_message(message, with_metadata=True)}


@api_method("chat.postEphemeral")
def chat_post_ephemeral(ctx: Ctx) -> dict[str, Any]:
    user = ctx.find_user(ctx.arg("user"))
    conv = _writable(ctx, ctx.arg("channel"))
    if user.id not in conv.members:
        raise ApiError("user_not_in_channel")
    content = _content(ctx, require=True)
    ts = ctx.state.next_ts(ctx.now)
    ctx.state.ephemeral.append(
        {
            "channel": conv.id,
            "user": user.id,
            "ts": ts,
            "text": content.get("text", ""),
            "blocks": content.get("blocks", []),
        }
    )
    return {"message_ts": ts}


def _find_message(conv: Conversation, ts: str) -> dict[str, Any]:
    for message in conv.messages:
        if message["ts"] == ts:
            return message
    raise ApiError("message_not_found")


@api_method("chat.update")
def chat_update(ctx: Ctx) -> dict[str, Any]:
    conv = ctx.find_conversation(ctx.arg("channel"))  # a user id is not accepted here
    ws = ctx.workspace(conv.team_id)
    message = _find_message(conv, ctx.arg("ts"))
    if message.get("user") != ws.bot_user_id:
        raise ApiError("cant_update_message")
    content = _content(ctx, require=False)
    if not content:
        raise ApiError("no_text")
    # Omitted blocks/metadata keep their previous value; [] / {} clear them (Slack).
    for key in ("text", "blocks", "metadata", "attachments"):
        if key in content:
            message[key] = content[key] if content[key] is not None else ([] if key == "blocks" else None)
    message["edited"] = {"user": ws.bot_user_id, "ts": ctx.state.next_ts(ctx.now)}
    return {
        "channel": conv.id,
        "ts": message["ts"],
        "text": message["text"],
        "message": public_message(message, with_metadata=True),
    }


@api_method("chat.getPermalink")
def chat_get_permalink(ctx: Ctx) -> dict[str, Any]:
    conv = ctx.find_conversation(ctx.arg("channel"))
    message = _find_message(conv, ctx.arg("message_ts"))
    ws = ctx.workspace(conv.team_id)
    stamp = message["ts"].replace(".", "")
    return {"channel": conv.id, "permalink": f"https://{ws.domain}.slack.com/archives/{conv.id}/p{stamp}"}
