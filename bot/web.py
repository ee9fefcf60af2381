"""The HTTP front door: Slack's requests at /slack/events and a health check at /healthz.

Every Slack request is checked here before Bolt sees it: size, signature (slack_sdk's
`SignatureVerifier`, once the headers are known to be something it can read), then shape.
Bolt itself answers 500 to a non-numeric timestamp, a non-ASCII signature or a malformed
body, parses bodies before it checks signatures, and logs whole bodies when a check fails;
none of that reaches it. A retried event Slack already delivered is acknowledged and skipped.
Every refusal is one INFO line naming the reason, never the payload.
"""

from __future__ import annotations

import binascii
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import Clock, SignatureVerifier
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db import database_answers
from bot.listeners.ack_first import AcksInFlight
from bot.services import seen_events

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # Slack's payloads are far smaller; a view with 100 blocks is ~250 KB

StartResponse = Callable[..., Any]


class _ClockOf(Clock):
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock()


class WebApp:
    """A WSGI application wrapping the Bolt app."""

    def __init__(
        self,
        bolt_app: App,
        *,
        signing_secret: str,
        engine: Engine,
        acks: AcksInFlight,
        session_factory: sessionmaker[Session] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._bolt_app = bolt_app
        # No secret (Socket Mode builds this too, and never serves it): nothing verifies.
        self._verifier = (
            SignatureVerifier(signing_secret, _ClockOf(clock)) if signing_secret.strip() else None
        )
        self._engine = engine
        self._sessions = session_factory or sessionmaker(engine)
        self._acks = acks
        self._clock = clock

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz":
            if database_answers(self._engine):
                return _reply(start_response, 200, {"status": "ok"})
            return _reply(start_response, 503, {"status": "database unavailable"})
        if path != "/slack/events":
            return _reply(start_response, 404, {"error": "not found"})
        if method != "POST":
            return _reply(start_response, 405, {"error": "use POST"})
        body, problem = _read_body(environ)
        if problem:
            logger.info("rejected a Slack request: %s", problem[1])
            return _reply(start_response, problem[0], {"error": problem[1]})
        reason = self._signature_problem(environ, body)
        if reason:
            logger.info("rejected a Slack request: %s", reason)
            return _reply(start_response, 401, {"error": reason})
        request, reason = _bolt_request(environ, body)
        if request is None:
            logger.info("rejected a Slack request: %s", reason)
            return _reply(start_response, 400, {"error": "malformed body"})
        if self._already_seen(request.body):
            logger.info("skipped a retried event that was already delivered")
            return _reply(start_response, 200, {"ok": "already received"})
        try:
            with self._acks.answering():  # follow-up work waits while acks are being computed
                response = self._bolt_app.dispatch(request)
        except Exception as error:  # a signed payload Bolt could not dispatch; never answer 500
            logger.info("could not dispatch a Slack request: %s", type(error).__name__)
            return _reply(start_response, 400, {"error": "request could not be processed"})
        return _send(start_response, response)

    def _signature_problem(self, environ: dict[str, Any], body: bytes) -> str | None:
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        # SignatureVerifier calls int() on the timestamp, compares str signatures and decodes
        # the body as UTF-8, which raise on anything non-numeric, non-ASCII or not UTF-8: only
        # what it can read reaches it.
        if not _is_utf8(body):
            return "body is not UTF-8"
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            return "bad timestamp"
        if not (signature.isascii() and signature.startswith("v0=")):
            return "bad signature"
        if self._verifier is None or not self._verifier.is_valid(body, timestamp, signature):
            if abs(self._clock() - int(timestamp)) > 300:
                return "stale timestamp"
            return "bad signature"
        return None

    def _already_seen(self, payload: dict[str, Any]) -> bool:
        """True for an event this app (any of its processes) has already received.

        Slack retries an event it thinks went unanswered, with the same event_id; every
        event's id is kept a while, so the retry is acknowledged and nothing happens twice.
        """
        event_id = payload.get("event_id")
        if payload.get("type") != "event_callback" or not isinstance(event_id, str):
            return False
        now = datetime.fromtimestamp(self._clock(), UTC)
        with self._sessions.begin() as session:
            return not seen_events.first_delivery(
                session=session, team_id=payload["team_id"], event_id=event_id, now=now
            )


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _read_body(environ: dict[str, Any]) -> tuple[bytes, tuple[int, str] | None]:
    length_text = environ.get("CONTENT_LENGTH") or ""
    if length_text and not length_text.isdigit():
        return b"", (400, "bad content length")
    if length_text and int(length_text) > MAX_BODY_BYTES:
        return b"", (413, "body too large")
    stream = environ["wsgi.input"]
    body = stream.read(int(length_text)) if length_text else stream.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return b"", (413, "body too large")
    return body, None


def _bolt_request(environ: dict[str, Any], body: bytes) -> tuple[BoltRequest | None, str]:
    """Bolt's request for a verified body, or None and why when it is not something Slack sends.

    The body is parsed once, here, and always handed to Bolt as JSON: an interaction arrives as
    `payload=<url-encoded JSON>` (a modal submission is ~17 KB) and Bolt reads that JSON itself;
    a slash command's form becomes the same dict Bolt would build from it. (Bolt's own form
    parsing also empties any command whose text contains the word "payload".)
    """
    try:
        text = body.decode("utf-8")
        if environ.get("CONTENT_TYPE") == "application/json" or text.startswith("{"):
            payload = text
        elif text.startswith("payload=") and "&" not in text:
            payload = form_value(body[len("payload=") :])
        else:
            form = parse_qsl(text, keep_blank_values=True)
            if not form or any(name == "payload" for name, _ in form):
                return None, "malformed body"  # empty, or a payload beside other fields
            payload = json.dumps(dict(form))
        headers = {
            key[5:].lower().replace("_", "-"): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        request = BoltRequest(body=payload, headers={**headers, "content-type": "application/json"})
    except Exception:  # unreadable JSON, or a shape Bolt trips over while reading its context
        return None, "malformed body"
    problem = shape_problem(request.body)
    return (None, problem) if problem else (request, "")


def _send(start_response: StartResponse, response: BoltResponse) -> list[bytes]:
    data = response.body.encode("utf-8")
    headers = [(name, value) for name, values in response.headers.items() for value in values]
    headers = [(name, value) for name, value in headers if name.lower() != "content-length"]
    phrase = HTTPStatus(response.status).phrase if response.status in _KNOWN_STATUSES else "Unknown"
    start_response(f"{response.status} {phrase}", [*headers, ("Content-Length", str(len(data)))])
    return [data]


_KNOWN_STATUSES = {status.value for status in HTTPStatus}


def form_value(encoded: bytes) -> str:
    """Decode one application/x-www-form-urlencoded value, like urllib's unquote_plus.

    urllib decodes in pure Python (about 1 ms for a modal submission); quoted-printable
    decoding in C does the same job once `%XX` is spelled `=XX` (and a literal `=`, which a
    form never leaves unencoded, is protected first).
    """
    if encoded.translate(None, _FORM_ALPHABET) or _BROKEN_ESCAPE.search(encoded):
        return unquote_plus(encoded.decode("utf-8"))  # odd input: take the slow, exact road
    quoted = encoded.replace(b"=", b"=3D").replace(b"+", b" ").replace(b"%", b"=")
    return binascii.a2b_qp(quoted).decode("utf-8")


# What a form encoder writes: unreserved characters, '+' for spaces, and %XX escapes only.
# (Checked as "nothing outside the alphabet, no '%' without two hex digits": a single regex
# over the whole value takes five times as long.)
_FORM_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._~+%"
_BROKEN_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


# The keys Bolt reaches into before any listener runs, and the JSON types Slack sends for them.
_EXPECTED_TYPES: dict[str, tuple[type, ...]] = {
    "type": (str,),
    "team": (dict, type(None)),
    "team_id": (str, type(None)),
    "user": (dict, str),
    "event": (dict,),
    "actions": (list,),
    "view": (dict,),
    "container": (dict,),
    "channel": (dict, str),
    "enterprise": (dict, type(None)),
    "authorizations": (list,),
    "trigger_id": (str,),
    "response_url": (str,),
}

# What Slack always sends with each kind of request, and the listeners rely on: paths to
# non-empty strings. (A team id is checked apart: interactions carry it in team or user.)
_REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "command": (("command",), ("user_id",), ("channel_id",), ("trigger_id",), ("response_url",)),
    "block_actions": (("user", "id"), ("trigger_id",)),
    "view_submission": (("user", "id"), ("view", "id"), ("view", "callback_id"), ("trigger_id",)),
    "view_closed": (("user", "id"), ("view", "id"), ("view", "callback_id")),
    "event_callback": (("team_id",), ("event_id",), ("event", "type")),
    "url_verification": (("challenge",),),
}


# Slack's ids: workspaces T…, enterprises E…, people U… or W…, channels C…, D… or G…, all
# upper-case letters and digits; events Ev…. An id of any other form was not made by Slack,
# and none reaches a query (a NUL byte in one fails on PostgreSQL; any other would make rows).
_SLACK_ID = re.compile(r"[A-Z][A-Z0-9]{1,31}")
_EVENT_ID = re.compile(r"Ev[A-Z0-9]{1,32}")
_ID_PATHS: tuple[tuple[str, ...], ...] = (
    ("team_id",),
    ("context_team_id",),
    ("team", "id"),
    ("enterprise", "id"),
    ("user_id",),
    ("user", "id"),
    ("user", "team_id"),
    ("channel_id",),
    ("channel", "id"),
    ("container", "channel_id"),
    ("event", "user"),
    ("event", "user", "id"),
    ("event", "channel"),
)


def _odd_id(payload: dict[str, Any]) -> str:
    """The first id in the payload that is not of Slack's form ("" when all are)."""
    for path in _ID_PATHS:
        value = _value_at(payload, path)
        if isinstance(value, str) and not _SLACK_ID.fullmatch(value):
            return ".".join(path)
    for authorization in payload.get("authorizations") or []:
        for key in ("team_id", "user_id", "enterprise_id"):
            value = authorization.get(key) if isinstance(authorization, dict) else None
            if isinstance(value, str) and not _SLACK_ID.fullmatch(value):
                return f"authorizations.{key}"
    event_id = payload.get("event_id")
    if isinstance(event_id, str) and not _EVENT_ID.fullmatch(event_id):
        return "event_id"
    return ""


def shape_problem(payload: object) -> str:
    """Why a verified payload is not something Slack sends ("" when it is).

    Slack never sends these shapes, so nothing is lost by refusing them; refusing them here
    means no listener meets a missing key halfway through its work.
    """
    if not isinstance(payload, dict):
        return "malformed body"
    for key, types in _EXPECTED_TYPES.items():
        if key in payload and not isinstance(payload[key], types):
            return f"{key} of the wrong type"
    kind = "command" if "command" in payload and "type" not in payload else payload.get("type")
    if kind not in _REQUIRED:
        return "a request type this app does not handle"
    for path in _REQUIRED[kind]:
        if not _string_at(payload, path):
            return f"{kind} without {'.'.join(path)}"
    if kind == "command" and not isinstance(payload.get("text"), str):
        return "command without text"
    odd = _odd_id(payload)
    if odd:
        return f"an odd {odd}"
    if kind in ("command", "block_actions", "view_submission", "view_closed") and not _team_id(payload):
        return f"{kind} without a team id"
    if kind == "event_callback":
        event = payload["event"]
        needs_user = event.get("type") == "app_home_opened"
        if (needs_user or "user" in event) and not isinstance(
            event.get("user"), str if needs_user else (str, dict)
        ):
            return "event with an odd user"
    if kind == "block_actions":
        actions = payload.get("actions")
        if not actions or not all(isinstance(a, dict) and _string_at(a, ("action_id",)) for a in actions):
            return "block_actions without actions"
    if "view" in payload:
        view = payload["view"]
        state = view.get("state", {})
        if not isinstance(state, dict) or not isinstance(state.get("values", {}), dict):
            return "view with an odd state"
        if kind == "view_submission" and not isinstance(state.get("values"), dict):
            return "view_submission without view.state.values"
        if not isinstance(view.get("private_metadata", ""), str):
            return "view with odd private_metadata"
    for key in ("authorizations",):
        if not all(isinstance(a, dict) for a in payload.get(key) or []):
            return f"{key} of the wrong type"
    return ""


def _value_at(payload: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = payload
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _string_at(payload: dict[str, Any], path: tuple[str, ...]) -> bool:
    value = _value_at(payload, path)
    return isinstance(value, str) and bool(value)


def _team_id(payload: dict[str, Any]) -> bool:
    return (
        _string_at(payload, ("team_id",))
        or _string_at(payload, ("team", "id"))
        or _string_at(payload, ("user", "team_id"))
    )


def _reply(start_response: StartResponse, status: int, payload: dict[str, str]) -> list[bytes]:
    reasons = {
        200: "OK",
        400: "Bad Request",
        401: "Unauthorized",
        404: "Not Found",
        405: "Method Not Allowed",
        413: "Payload Too Large",
        503: "Service Unavailable",
    }
    data = json.dumps(payload).encode()
    start_response(
        f"{status} {reasons[status]}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
    )
    return [data]
