"""files.getUploadURLExternal, the upload URL itself, files.completeUploadExternal:
the three steps of slack_sdk's files_upload_v2."""

from __future__ import annotations

import email.parser
import email.policy
from typing import Any

from .api_conversations import APP_ID, _writable
from .context import Ctx, api_method
from .state import ApiError, State, UploadedFile


@api_method("files.getUploadURLExternal")
def files_get_upload_url_external(ctx: Ctx) -> dict[str, Any]:
    filename = ctx.arg("filename")
    length = ctx.int_arg("length", -1)
    if length < 0:
        raise ApiError("invalid_arguments", messages=["missing required field: length"])
    ws = ctx.workspace()
    file = UploadedFile(
        id=ctx.state.ids.new("F"),
        team_id=ws.team_id,
        filename=filename,
        length=length,
        alt_txt=ctx.opt("alt_txt") or "",
    )
    ctx.state.files[file.id] = file
    return {"upload_url": f"{ctx.base_url}/upload/v1/{file.id}", "file_id": file.id}


def receive_upload(state: State, file_id: str, body: bytes, content_type: str) -> tuple[int, str]:
    """The POST to an upload URL: raw bytes (what slack_sdk sends) or a multipart form."""
    file = state.files.get(file_id)
    if file is None or file.completed:
        return 404, "Not Found"
    if content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        parts = [p for p in message.iter_parts() if p.get_filename() is not None] or list(
            message.iter_parts()
        )
        payload = parts[0].get_payload(decode=True) if parts else b""
        body = payload if isinstance(payload, bytes) else b""
    file.content = body
    return 200, f"OK - {len(body)}"


@api_method("files.completeUploadExternal")
def files_complete_upload_external(ctx: Ctx) -> dict[str, Any]:
    entries = ctx.json_arg("files")
    if not isinstance(entries, list) or not entries:
        raise ApiError("invalid_arguments", messages=["missing required field: files"])
    files: list[UploadedFile] = []
    for entry in entries:
        file = ctx.state.files.get(str(entry.get("id"))) if isinstance(entry, dict) else None
        if file is None or file.team_id not in ctx.team_ids or file.completed:
            raise ApiError("file_not_found")
        if file.content is None:
            raise ApiError("file_not_found")  # inferred: the bytes never reached the upload URL
        file.title = str(entry.get("title") or file.filename)
        files.append(file)
    ctx.team_id = files[0].team_id
    channel_ids = [c for c in [ctx.opt("channel_id"), *(ctx.opt("channels") or "").split(",")] if c]
    comment = ctx.opt("initial_comment") or ""
    for channel_id in channel_ids:
        conv = _writable(ctx, channel_id)
        ws = ctx.workspace(conv.team_id)
        conv.messages.append(
            {
                "type": "message",
                "ts": ctx.state.next_ts(ctx.now),
                "user": ws.bot_user_id,
                "bot_id": ws.bot_id,
                "app_id": APP_ID,
                "team": ws.team_id,
                "text": comment,
                "blocks": [],
                "metadata": None,
                "thread_ts": ctx.opt("thread_ts"),
                "files": [{"id": f.id, "name": f.filename, "title": f.title} for f in files],
            }
        )
    for file in files:
        file.completed = True
        file.channel_id = channel_ids[0] if channel_ids else None
        file.initial_comment = comment
        file.thread_ts = ctx.opt("thread_ts")
    return {"files": [{"id": f.id, "title": f.title} for f in files]}
