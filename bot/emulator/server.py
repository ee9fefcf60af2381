"""HTTP plumbing: a ThreadingHTTPServer on 127.0.0.1 that turns requests into FakeSlack calls.

Routes: /api/<method> (Web API, POST or GET), /upload/v1/<file_id> (files_upload_v2 step 2),
/response/<key> (response_url). Everything else is a 404.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from .fake import FakeSlack


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    drop_connection: bool = False  # close the socket without answering (after processing)

    @classmethod
    def json(cls, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
        return cls(
            status,
            json.dumps(body).encode(),
            {"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        )

    @classmethod
    def text(cls, status: int, body: str, content_type: str = "text/plain; charset=utf-8") -> Reply:
        return cls(status, body.encode(), {"Content-Type": content_type})


@dataclass
class ParsedRequest:
    args: dict[str, Any]
    token: str | None
    bad_body: str | None = None  # Slack's error for a body it cannot read


def parse_api_request(query: str, headers: Any, body: bytes) -> ParsedRequest:
    """Arguments and token the way Slack reads them: query string, then form/JSON/multipart body;
    the token from `Authorization: Bearer` or, for non-JSON bodies only, a `token` argument."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    content_type = (headers.get("Content-Type") or "").lower()
    is_json = content_type.startswith("application/json")
    bad_body = None
    if body:
        if is_json:
            try:
                parsed = json.loads(body)
                if not isinstance(parsed, dict):
                    raise ValueError("not an object")
                args.update(parsed)
            except ValueError:
                bad_body = "invalid_json"
        elif content_type.startswith("multipart/form-data"):
            args.update(_multipart_fields(content_type, body))
        else:
            try:
                args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:
                bad_body = "invalid_form_data"
    token = None
    auth = headers.get("Authorization") or ""
    if auth.startswith("Bearer "):
        token = auth[len("Bearer ") :].strip() or None
    # Slack ignores a token inside a JSON body: JSON callers must use the header.
    body_token = args.pop("token", None)
    if token is None and not is_json and body_token:
        token = str(body_token)
    return ParsedRequest(args=args, token=token, bad_body=bad_body)


def _multipart_fields(content_type: str, body: bytes) -> dict[str, Any]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields[name] = payload if part.get_filename() else payload.decode("utf-8", "replace")
    return fields


def make_server(fake: FakeSlack) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request per connection, like urllib's `Connection: close`.
        protocol_version = "HTTP/1.0"

        def do_POST(self) -> None:
            self._serve()

        def do_GET(self) -> None:
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            reply = fake._route(url.path, url.query, self.headers, body)
            if reply.drop_connection:
                self.close_connection = True
                return  # the socket closes with no status line: the client sees a disconnect
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep pytest output clean; FakeSlack.calls is the log

    class Server(ThreadingHTTPServer):
        # Slack never refuses a connection for being busy; the default backlog of 5 would.
        request_queue_size = 256

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    return server
