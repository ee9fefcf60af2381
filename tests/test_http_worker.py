"""Where a request ends, decided by the web process's event loop before any thread sees it.

(tests/app/test_production_server.py drives the same through the real server process.)
"""

from __future__ import annotations

import pytest

from bot.http_worker import BODY_SECONDS, HEADER_SECONDS, MAX_HEADER_BYTES, Arrival, declared_length
from bot.web import MAX_BODY_BYTES

HEAD = b"POST /slack/events HTTP/1.1\r\nHost: example.org\r\n"


def test_a_request_is_complete_once_its_declared_body_is_in():
    arrival = Arrival.starting(now=100.0)
    assert arrival.deadline == 100.0 + HEADER_SECONDS
    assert arrival.feed(HEAD + b"Content-Le", now=100.1) is False
    assert arrival.feed(b"ngth: 10\r\n\r\nabc", now=101.0) is False
    assert arrival.deadline == 101.0 + BODY_SECONDS  # the body has its own time from here
    assert arrival.feed(b"defghij", now=102.0) is True
    assert bytes(arrival.data) == HEAD + b"Content-Length: 10\r\n\r\nabcdefghij"


def test_a_request_without_a_body_is_complete_with_its_headers():
    arrival = Arrival.starting(now=0.0)
    assert arrival.feed(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", now=0.0) is True


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        (b"Content-Length: %d\r\n" % (MAX_BODY_BYTES + 1), 413),
        (b"Transfer-Encoding: chunked\r\n", 411),
        (b"Content-Length: 10\r\nContent-Length: 12\r\n", 400),
        (b"Content-Length: -1\r\n", 400),
        (b"Content-Length: 1e3\r\n", 400),
    ],
)
def test_bodies_that_cannot_be_bounded_are_refused_before_they_are_read(headers, status):
    refusal = declared_length(HEAD + headers)
    assert not isinstance(refusal, int)
    assert refusal.status == status


def test_the_cap_itself_is_accepted():
    assert declared_length(HEAD + b"content-length: %d\r\n" % MAX_BODY_BYTES) == MAX_BODY_BYTES


def test_endless_headers_are_refused():
    arrival = Arrival.starting(now=0.0)
    outcome = arrival.feed(HEAD + b"X-Filler: " + b"a" * MAX_HEADER_BYTES, now=0.0)
    assert not isinstance(outcome, bool)
    assert outcome.status == 431
