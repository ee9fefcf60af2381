"""gunicorn's threaded worker, with every request read in full before a thread sees it.

gunicorn's gthread worker reads a request in the thread that answers it, with no limit on how
long that takes: a client that sends its headers and three bytes of a longer body, then
nothing, holds the thread until it goes away. Sixteen of them held every thread of two web
processes, and `/healthz` and Slack's own requests went unanswered. Two more ways did the
same: connections that send nothing (a thread waits 5 s for each, and eight of them stopped
a process accepting), and clients that read their answer but never close (gthread lingers
for their FIN on its event loop, stalling every connection of the process for 2 s each).

Here the event loop reads each request into memory as its bytes arrive, without blocking,
within deadlines and size caps; a thread gets the request only once all of it is in, reads
it from memory and never waits on the client. The answer is small enough for the kernel's
send buffer, so writing it does not wait either, and the close after it lingers on the event
loop without blocking. A client too slow, too large or malformed is answered (408, 413, 431,
411 or 400) and closed by the event loop, having cost no thread.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import selectors
import socket
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from gunicorn import http  # type: ignore[import-untyped]  # no type hints
from gunicorn.workers.gthread import TConn, ThreadWorker  # type: ignore[import-untyped]

from bot.web import MAX_BODY_BYTES

logger = logging.getLogger(__name__)

# Slack gives an app 3 s to answer; a request that takes longer than this to arrive is one
# nobody waits for any more. (On loopback and from Slack a request arrives in milliseconds.)
HEADER_SECONDS = 5.0  # from the connection to the end of the headers
BODY_SECONDS = 5.0  # from the end of the headers to the end of the body
# Slack's headers are under 1 KB; gunicorn's own parser checks lines and fields after this.
MAX_HEADER_BYTES = 16 * 1024
# After the answer, how long the client has to close its side before the socket is closed
# anyway (RFC 9112 §9.6: closing with unread bytes would reset the connection and could
# destroy the answer before the client read it).
LINGER_SECONDS = 2.0
LINGER_MAX_BYTES = 64 * 1024

_READ_SIZE = 64 * 1024


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str


_TOO_SLOW = Refusal(408, "request not received in time")
_TOO_LARGE = Refusal(413, "body too large")
_HEADERS_TOO_LARGE = Refusal(431, "headers too large")
_NO_LENGTH = Refusal(411, "chunked body; send Content-Length")
_BAD_LENGTH = Refusal(400, "bad content length")

_PHRASES = {
    400: "Bad Request",
    408: "Request Timeout",
    411: "Length Required",
    413: "Payload Too Large",
    431: "Request Header Fields Too Large",
}


@dataclass
class Arrival:
    """A request's bytes so far, and when the rest must have arrived by."""

    deadline: float
    data: bytearray = field(default_factory=bytearray)
    end: int | None = None  # where the body ends, once the headers have said

    @classmethod
    def starting(cls, now: float) -> Arrival:
        return cls(deadline=now + HEADER_SECONDS)

    def feed(self, chunk: bytes, now: float) -> Refusal | bool:
        """Add bytes: True once the whole request is in, False while more is due, or a Refusal.

        Only framing is decided here (where the request ends); gunicorn's parser reads the
        request properly afterwards, from these bytes alone, and refuses anything malformed.
        """
        self.data += chunk
        if self.end is None:
            head_end = self.data.find(b"\r\n\r\n", 0, MAX_HEADER_BYTES + 4)
            if head_end < 0:
                return _HEADERS_TOO_LARGE if len(self.data) > MAX_HEADER_BYTES else False
            length = declared_length(bytes(self.data[:head_end]))
            if isinstance(length, Refusal):
                return length
            self.end = head_end + 4 + length
            self.deadline = now + BODY_SECONDS
        return len(self.data) >= self.end


def declared_length(head: bytes) -> int | Refusal:
    """The body length a request's headers declare (0 when none), or why it is refused.

    Slack always sends a Content-Length; a chunked body could not be bounded before it is
    read, so it is refused, as are duplicate or non-numeric lengths and oversized bodies
    (before any of the body is read).
    """
    lengths = set()
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"transfer-encoding":
            return _NO_LENGTH
        if name == b"content-length":
            lengths.add(value.strip())
    if not lengths:
        return 0
    if len(lengths) > 1:
        return _BAD_LENGTH
    (text,) = lengths
    if not (text.isdigit() and len(text) <= 12):
        return _BAD_LENGTH
    if int(text) > MAX_BODY_BYTES:
        return _TOO_LARGE
    return int(text)


def refusal_bytes(refusal: Refusal) -> bytes:
    body = json.dumps({"error": refusal.reason}).encode()
    head = (
        f"HTTP/1.1 {refusal.status} {_PHRASES[refusal.status]}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


class BufferedThreadWorker(ThreadWorker):
    """gthread, except that requests are read by the event loop and closes never block it.

    Connections live in one of three places: arriving (the event loop reads them), in a
    thread (answering), or closing (the event loop waits briefly for the client's FIN).
    `worker_connections` caps all of them together; at most `threads` are in threads, and a
    process with every thread busy stops accepting, so a burst is shared between processes.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arriving: dict[TConn, Arrival] = {}
        self.closing: dict[TConn, float] = {}
        self.answering = 0

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled and self.answering < self.cfg.threads)

    def accept(self, listener: socket.socket) -> None:
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client, address, listener.getsockname())  # non-blocking
        self.arriving[conn] = Arrival.starting(time.monotonic())
        self.poller.register(client, selectors.EVENT_READ, partial(self.on_request_bytes, conn))
        self.on_request_bytes(conn, client)  # the request has often arrived with the connection

    def on_request_bytes(self, conn: TConn, client: socket.socket) -> None:
        chunk = _receive(client)
        if chunk is None:
            return
        if not chunk:  # the client went away before sending a whole request
            self._stop_reading(conn)
            self._close(conn)
            return
        outcome = self.arriving[conn].feed(chunk, time.monotonic())
        if outcome is False:
            return
        arrival = self._stop_reading(conn)
        if isinstance(outcome, Refusal):
            self._refuse(conn, outcome)
            return
        # The thread's parser reads these bytes and never the socket.
        conn.parser = http.get_parser(self.cfg, [bytes(arrival.data)], conn.client)
        conn.data_ready = True
        self.answering += 1
        if self.answering >= self.cfg.threads:
            self.set_accept_enabled(False)
        self.enqueue_req(conn)

    def finish_request(self, conn: TConn, future: Any) -> None:
        """Back on the event loop once a thread has answered (keep-alive is off: close)."""
        self.answering -= 1
        self._linger(conn)

    def murder_pending(self) -> None:
        """Called by the event loop at least every second: enforce the deadlines."""
        super().murder_pending()
        now = time.monotonic()
        for conn in [c for c, arrival in self.arriving.items() if arrival.deadline < now]:
            self._stop_reading(conn)
            self._refuse(conn, _TOO_SLOW)
        for conn in [c for c, deadline in self.closing.items() if deadline < now]:
            self._close(conn)

    def _stop_reading(self, conn: TConn) -> Arrival:
        self._unregister(conn)
        return self.arriving.pop(conn)

    def _refuse(self, conn: TConn, refusal: Refusal) -> None:
        logger.info("refused a request: %s", refusal.reason)
        with contextlib.suppress(OSError):  # a few hundred bytes: the send buffer takes them
            conn.sock.send(refusal_bytes(refusal))
        self._linger(conn)

    def _linger(self, conn: TConn) -> None:
        """Close after the answer without blocking: FIN now, the socket once the client closes."""
        try:
            conn.sock.setblocking(False)
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._close(conn)
            return
        self.closing[conn] = time.monotonic() + LINGER_SECONDS
        drained = [0]
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_closing_bytes, conn, drained))

    def on_closing_bytes(self, conn: TConn, drained: list[int], client: socket.socket) -> None:
        chunk = _receive(client)
        if chunk is None:
            return
        drained[0] += len(chunk)
        if not chunk or drained[0] > LINGER_MAX_BYTES:
            self._close(conn)

    def _close(self, conn: TConn) -> None:
        if self.closing.pop(conn, None) is not None:
            self._unregister(conn)
        self.nr_conns -= 1
        conn.close()

    def _unregister(self, conn: TConn) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)


def _receive(client: socket.socket) -> bytes | None:
    """What the client sent since the last read: None when nothing is there yet, b"" when it
    closed or the connection broke (both mean: stop reading)."""
    try:
        return client.recv(_READ_SIZE)
    except (BlockingIOError, InterruptedError):
        return None
    except OSError:
        return b""
