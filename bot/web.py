"""The HTTP front door: Slack's requests at /slack/events and a health check at /healthz.

Every Slack request is checked here before Bolt sees it. Bolt itself answers 500 to a
non-numeric timestamp, a non-ASCII signature or a malformed body, parses bodies before it
checks signatures, and logs whole bodies when a check fails; none of that reaches it.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from slack_bolt import App, BoltRequest, BoltResponse
from sqlalchemy import Engine

from bot.db import database_answers
from bot.listeners.ack_first import AcksInFlight

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # Slack's payloads are far smaller; a view with 100 blocks is ~250 KB
MAX_CLOCK_SKEW_SECONDS = 300

StartResponse = Callable[..., Any]


class WebApp:
    """A WSGI application wrapping the Bolt app."""

    def __init__(
        self,
        bolt_app: App,
        *,
        signing_secret: str,
        engine: Engine,
        acks: AcksInFlight,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._bolt_app = bolt_app
        self._secret = signing_secret.encode()
        self._engine = engine
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
            return _reply(start_response, problem[0], {"error": problem[1]})
        status, reason = self._check(environ, body)
        if status != 200:
            logger.info("rejected a Slack request: %s", reason)
            return _reply(start_response, status, {"error": reason})
        request = _bolt_request(environ, body)
        if request is None:
            logger.info("rejected a Slack request: malformed body")
            return _reply(start_response, 400, {"error": "malformed body"})
        try:
            with self._acks.answering():  # follow-up work waits while acks are being computed
                response = self._bolt_app.dispatch(request)
        except Exception:  # a signed payload Bolt could not dispatch; never answer 500
            logger.exception("could not dispatch a Slack request")
            return _reply(start_response, 400, {"error": "request could not be processed"})
        return _send(start_response, response)

    def _check(self, environ: dict[str, Any], body: bytes) -> tuple[int, str]:
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            return 401, "bad timestamp"
        if abs(self._clock() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
            return 401, "stale timestamp"
        if not signature.isascii() or not signature.startswith("v0="):
            return 401, "bad signature"
        expected = (
            "v0="
            + hmac.new(self._secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
        )
        if not hmac.compare_digest(expected, signature):
            return 401, "bad signature"
        return 200, ""


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


def _bolt_request(environ: dict[str, Any], body: bytes) -> BoltRequest | None:
    """Bolt's request for a verified body, or None when it is not something Slack sends.

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
                return None  # empty, or a payload beside other fields: not something Slack sends
            payload = json.dumps(dict(form))
        headers = {
            key[5:].lower().replace("_", "-"): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        request = BoltRequest(body=payload, headers={**headers, "content-type": "application/json"})
    except Exception:  # unreadable JSON, or a shape Bolt trips over while reading its context
        return None
    return request if _shaped_like_slack(request.body) else None


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
}


def _shaped_like_slack(payload: object) -> bool:
    if not isinstance(payload, dict):
        return False
    for key, types in _EXPECTED_TYPES.items():
        if key in payload and not isinstance(payload[key], types):
            return False
    return all(isinstance(a, dict) for a in payload.get("actions") or []) and all(
        isinstance(a, dict) for a in payload.get("authorizations") or []
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
