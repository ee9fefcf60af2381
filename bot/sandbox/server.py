"""The sandbox page and its JSON API (WSGI, served on 127.0.0.1 only).

GET  /                       the page (static/index.html)
GET  /static/<file>          its CSS and JavaScript
GET  /sandbox/api/people     the demo people (for the "who you are" picker)
GET  /sandbox/api/screen?user=U…   what that person sees now (ETag: 304 when unchanged)
GET  /sandbox/api/file?user=U…&id=F…   a file the app shared with that person (a download)
POST /sandbox/api/command    {user, channel, text}         a slash command
POST /sandbox/api/say        {user, channel, text}         a plain message
POST /sandbox/api/action     {user, block_id, action_id, where, selected?, answers?}
POST /sandbox/api/submit     {user, view_id, answers}       a modal's submit button
POST /sandbox/api/close      {user, view_id}                a modal's close button
POST /sandbox/api/home       {user}                         opening the Home tab
POST /sandbox/api/advance    {hours? days? weeks?}           move the clock, ticking the worker
POST /sandbox/api/tick       {}                              one worker tick now
POST /sandbox/api/fill       {}                              opt the demo employees in
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from .people import EVERYONE, TEAM_ID, WORKSPACE_NAME
from .slack_side import SandboxError

if TYPE_CHECKING:
    from .runner import Sandbox

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 512 * 1024
StartResponse = Callable[..., Any]


class SandboxWeb:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.routes: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "command": self.command,
            "say": self.say,
            "action": self.action,
            "submit": self.submit,
            "close": self.close,
            "home": self.home,
            "advance": self.advance,
            "tick": self.tick,
            "fill": self.fill,
        }

    # ------------------------------------------------------------ WSGI

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "GET" and path in ("/", "/index.html"):
            return _file(start_response, STATIC / "index.html")
        if method == "GET" and path.startswith("/static/"):
            return _file(start_response, STATIC / path[len("/static/") :])
        if method == "GET" and path == "/healthz":
            return _json(start_response, 200, {"status": "ok"})
        if method == "GET" and path == "/sandbox/api/people":
            return _json(start_response, 200, {"people": [p.public() for p in EVERYONE]})
        if method == "GET" and path == "/sandbox/api/screen":
            query = parse_qs(environ.get("QUERY_STRING") or "")
            return self.screen(
                start_response, (query.get("user") or [""])[0], environ.get("HTTP_IF_NONE_MATCH")
            )
        if method == "GET" and path == "/sandbox/api/file":
            query = parse_qs(environ.get("QUERY_STRING") or "")
            return self.file(start_response, (query.get("user") or [""])[0], (query.get("id") or [""])[0])
        if path.startswith("/sandbox/api/") and path.rsplit("/", 1)[1] in self.routes:
            if method != "POST":
                return _json(start_response, 405, {"error": "use POST"})
            try:
                body = _read_json(environ)
                return _json(start_response, 200, self.routes[path.rsplit("/", 1)[1]](body))
            except SandboxError as problem:
                return _json(start_response, 400, {"error": str(problem)})
            except (ValueError, KeyError, TypeError) as problem:
                return _json(start_response, 400, {"error": f"bad request: {problem}"})
        return _json(start_response, 404, {"error": "not found"})

    # ------------------------------------------------------------ what a person sees

    def file(self, start_response: StartResponse, user_id: str, file_id: str) -> list[bytes]:
        """A file shared in the person's DM with the app, as Slack's download link gives it:
        only to someone in the conversation it was shared in."""
        try:
            _person(user_id)
        except SandboxError as problem:
            return _json(start_response, 400, {"error": str(problem)})
        shared = self.sandbox.fake.files.get(file_id)
        dm = self.sandbox.fake.open_app_dm(TEAM_ID, user_id)
        if shared is None or shared["content"] is None or dm not in shared["channels"]:
            return _json(start_response, 404, {"error": "not found"})
        data: bytes = shared["content"]
        name = str(shared["name"]).replace('"', "")
        start_response(
            "200 OK",
            [
                ("Content-Type", mimetypes.guess_type(name)[0] or "application/octet-stream"),
                ("Content-Length", str(len(data))),
                ("Content-Disposition", f'attachment; filename="{name}"'),
                ("Cache-Control", "no-store"),
            ],
        )
        return [data]

    def screen_data(self, user_id: str) -> dict[str, Any]:
        sandbox = self.sandbox
        fake = sandbox.fake
        _person(user_id)
        dm = fake.open_app_dm(TEAM_ID, user_id)
        roster = {p.user_id: p.public() for p in EVERYONE}
        people = []
        for user in fake.people(TEAM_ID):
            extra = roster.get(user["id"], {})
            people.append(
                {
                    "id": user["id"],
                    "name": user["name"],
                    "real_name": user["real_name"],
                    "tz": user["tz"],
                    "is_bot": user["is_bot"],
                    "is_admin": user["is_admin"],
                    "title": extra.get("title", "Slack app" if user["is_bot"] else ""),
                    "team": extra.get("team", ""),
                    "role": extra.get("role", "app" if user["is_bot"] else "employee"),
                }
            )
        return {
            "workspace": {"id": TEAM_ID, "name": WORKSPACE_NAME},
            "app": {
                "name": "Peer Mentor",
                "bot_user_id": _bot_id(people),
                "command": sandbox.slack.command_name,
                "dm": dm,
            },
            "me": user_id,
            "people": people,
            "channels": fake.channels(TEAM_ID),
            "conversations": fake.conversations_for(TEAM_ID, user_id),
            "ephemeral": fake.ephemeral_for(TEAM_ID, user_id),
            "home": fake.home_view(TEAM_ID, user_id),
            "modals": fake.open_modal_stack(TEAM_ID, user_id),
            "busy": sandbox.busy,
            "notes": list(sandbox.notes),
            "worker": {
                "ticks": sandbox.ticks.ticks,
                "sent": sandbox.ticks.sent,
                "failures": list(sandbox.ticks.failures),
                "every_seconds": sandbox.worker_interval,
            },
        }

    def screen(self, start_response: StartResponse, user_id: str, etag: str | None) -> Iterable[bytes]:
        try:
            data = self.screen_data(user_id)
        except SandboxError as problem:
            return _json(start_response, 400, {"error": str(problem)})
        # The clock moves all the time; the ETag covers everything else, the body carries it.
        tag = '"' + hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest() + '"'
        clock = self.sandbox.clock
        offset_ms = int(clock.offset.total_seconds() * 1000)
        if etag == tag:
            start_response("304 Not Modified", [("ETag", tag), ("X-Sandbox-Offset-Ms", str(offset_ms))])
            return [b""]
        data["clock"] = {"now": clock.now().isoformat(), "offset_ms": offset_ms}
        return _json(start_response, 200, data, [("ETag", tag), ("Cache-Control", "no-cache")])

    # ------------------------------------------------------------ what a person does

    def command(self, body: dict[str, Any]) -> dict[str, Any]:
        user, channel, text = _person(body["user"]), str(body["channel"]), str(body.get("text") or "")
        delivery = self.sandbox.slack.command(user, channel, text)
        return delivery.report()

    def say(self, body: dict[str, Any]) -> dict[str, Any]:
        user, channel, text = _person(body["user"]), str(body["channel"]), str(body.get("text") or "")
        if not text.strip():
            raise SandboxError("type something first")
        return {"ts": self.sandbox.slack.say(user, channel, text)}

    def action(self, body: dict[str, Any]) -> dict[str, Any]:
        delivery = self.sandbox.slack.click(
            _person(body["user"]),
            block_id=str(body["block_id"]),
            action_id=str(body["action_id"]),
            where=dict(body["where"]),
            selected=body.get("selected"),
            answers=body.get("answers") or None,
        )
        return delivery.report()

    def submit(self, body: dict[str, Any]) -> dict[str, Any]:
        delivery = self.sandbox.slack.submit(
            _person(body["user"]), str(body["view_id"]), dict(body["answers"])
        )
        report = delivery.report()
        if delivery.body.get("response_action") == "errors":
            report["errors"] = delivery.body.get("errors") or {}
        return report

    def close(self, body: dict[str, Any]) -> dict[str, Any]:
        delivery = self.sandbox.slack.close(_person(body["user"]), str(body["view_id"]))
        return delivery.report() if delivery else {"status": 200}

    def home(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.sandbox.slack.open_home(_person(body["user"])).report()

    def advance(self, body: dict[str, Any]) -> dict[str, Any]:
        delta = timedelta(
            hours=float(body.get("hours") or 0),
            days=float(body.get("days") or 0),
            weeks=float(body.get("weeks") or 0),
        )
        return self.sandbox.advance(delta)

    def tick(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"sent": self.sandbox.tick()}

    def fill(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.sandbox.fill_demo_people()


def _person(user_id: Any) -> str:
    if not any(p.user_id == user_id for p in EVERYONE):
        raise SandboxError(f"there is no demo person {user_id!r}")
    return str(user_id)


def _bot_id(people: list[dict[str, Any]]) -> str:
    return next((p["id"] for p in people if p["is_bot"]), "")


def _read_json(environ: dict[str, Any]) -> dict[str, Any]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY:
        raise ValueError("body too large")
    raw = environ["wsgi.input"].read(length) if length else b""
    parsed = json.loads(raw or b"{}")
    if not isinstance(parsed, dict):
        raise ValueError("expected a JSON object")
    return parsed


def _json(
    start_response: StartResponse,
    status: int,
    payload: dict[str, Any],
    headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    reasons = {
        200: "OK",
        304: "Not Modified",
        400: "Bad Request",
        404: "Not Found",
        405: "Method Not Allowed",
    }
    data = json.dumps(payload).encode()
    start_response(
        f"{status} {reasons.get(status, 'Error')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *(headers or [])],
    )
    return [data]


def _file(start_response: StartResponse, path: Path) -> list[bytes]:
    resolved = path.resolve()
    if STATIC not in resolved.parents or not resolved.is_file():
        return _json(start_response, 404, {"error": "not found"})
    data = resolved.read_bytes()
    kind = mimetypes.guess_type(resolved.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind == "application/javascript":
        kind += "; charset=utf-8"
    start_response(
        "200 OK", [("Content-Type", kind), ("Content-Length", str(len(data))), ("Cache-Control", "no-cache")]
    )
    return [data]
