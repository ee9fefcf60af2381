"""The HTTP front door: hostile or broken requests get 4xx, never a 500, and change nothing."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.emulator import signed_requests as sr
from bot.emulator.signed_requests import SignedRequest, sign
from bot.models import Profile, Workspace
from tests.app.conftest import SECRET


def profile_count(runtime) -> int:
    with runtime.deps.session_factory.begin() as session:
        return session.scalar(select(func.count()).select_from(Profile)) + session.scalar(
            select(func.count()).select_from(Workspace)
        )


def a_command(slack, **overrides) -> SignedRequest:
    request = sr.slash_command(
        SECRET,
        team_id="T1",
        user_id="U1",
        text="pause",
        trigger_id="1.2.3",
        response_url=slack.fake.new_response_url(),
        timestamp=slack.timestamp(),
    )
    request.headers.update(overrides)
    return request


def raw_post(slack, body: bytes, headers: dict[str, str]):
    request = urllib.request.Request(slack.url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Signature": "v0=" + "0" * 64},  # forged
        {"X-Slack-Signature": "v0=ünïcödé"},  # non-ASCII
        {"X-Slack-Signature": ""},
        {"X-Slack-Request-Timestamp": "yesterday"},  # non-numeric
        {"X-Slack-Request-Timestamp": "9" * 40},  # huge
        {"X-Slack-Request-Timestamp": "-5"},
    ],
)
def test_bad_signatures_and_timestamps_are_401(slack, runtime, headers):
    request = a_command(slack)
    # Re-encode so non-ASCII header values reach the server as raw bytes, as a hostile client could.
    headers = {**request.headers, **headers}
    status = _post_latin1(slack, request.body, headers)
    assert status == 401
    assert profile_count(runtime) == 0


def _post_latin1(slack, body, headers):
    import http.client
    from urllib.parse import urlparse

    url = urlparse(slack.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.putrequest("POST", url.path)
    for name, value in headers.items():
        connection.putheader(name, value.encode("utf-8"))
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    status = connection.getresponse().status
    connection.close()
    return status


def test_stale_timestamp_is_401(slack, runtime):
    stale = str(int(slack.clock().timestamp()) - 301)
    request = sr.slash_command(
        SECRET,
        team_id="T1",
        user_id="U1",
        text="",
        trigger_id="1.2.3",
        response_url=slack.fake.new_response_url(),
        timestamp=stale,
    )
    assert slack.post(request).status == 401


def test_missing_headers_are_401(slack):
    request = a_command(slack)
    assert raw_post(slack, request.body, {"Content-Type": request.headers["Content-Type"]}) == 401


def signed(slack, body: bytes, content_type: str) -> dict[str, str]:
    ts = slack.timestamp()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(SECRET, ts, body),
    }


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b"payload=%7Bbroken", "application/x-www-form-urlencoded"),
        (b"payload=%5B%5D", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded"),
        (b"", "application/x-www-form-urlencoded"),
        (b'{"type": "event_callback", "event": "not an object", "team_id": 5}', "application/json"),
        (b'{"type": "block_actions", "team": "T1", "user": 7, "actions": "x"}', "application/json"),
        (
            b"payload=" + json.dumps({"type": "view_submission", "view": None}).encode(),
            "application/x-www-form-urlencoded",
        ),
    ],
)
def test_malformed_signed_bodies_are_4xx(slack, runtime, body, content_type):
    status = raw_post(slack, body, signed(slack, body, content_type))
    assert 400 <= status < 500
    assert profile_count(runtime) == 0


def test_oversized_body_is_413(slack):
    body = urlencode({"text": "x" * (1024 * 1024 + 10)}).encode()
    assert raw_post(slack, body, signed(slack, body, "application/x-www-form-urlencoded")) == 413


def test_other_paths_and_methods(slack):
    base = slack.url.rsplit("/slack/events", 1)[0]
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(base + "/admin", timeout=5)
    assert missing.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as wrong_method:
        urllib.request.urlopen(slack.url, timeout=5)
    assert wrong_method.value.code == 405


def test_url_verification_echoes_the_challenge(slack):
    reply = slack.post(sr.url_verification(SECRET, "abc123", timestamp=slack.timestamp()))
    assert reply.status == 200 and "abc123" in reply.body.decode()


def test_healthz_reports_the_database(slack, runtime, monkeypatch):
    base = slack.url.rsplit("/slack/events", 1)[0]
    with urllib.request.urlopen(base + "/healthz", timeout=5) as reply:
        assert reply.status == 200 and json.loads(reply.read()) == {"status": "ok"}

    def broken_connect(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("database is down"))

    monkeypatch.setattr(runtime.engine, "connect", broken_connect)
    with pytest.raises(urllib.error.HTTPError) as down:
        urllib.request.urlopen(base + "/healthz", timeout=5)
    assert down.value.code == 503


def test_a_failing_listener_never_answers_500(slack, runtime, monkeypatch):
    """A database outage mid-command: the person gets an apology, Slack gets a 200."""

    def broken_begin(*args, **kwargs):
        raise OperationalError("BEGIN", {}, Exception("database is down"))

    monkeypatch.setattr(runtime.deps.session_factory, "begin", broken_begin)
    reply = slack.command("U1", "status")
    assert reply.status == 200
    assert "something went wrong on our side" in reply.json["text"]


def test_form_values_decode_exactly_as_urllib_does():
    from urllib.parse import unquote_plus, urlencode

    from bot.web import form_value

    samples = ["", "plain", "a b+c", "é€😀", "=%&+;", "x" * 5000, '{"a": "b\\n", "c": [1, 2]}', "tab\tcr\rlf\n"]
    for text in samples:
        encoded = urlencode({"p": text}).encode().split(b"=", 1)[1]
        assert form_value(encoded) == text
    # What no form encoder writes is still decoded exactly as urllib would.
    for odd in (b"%", b"%G1", b"100%", b"a=b", b"%0", b"a\nb", b"%\n"):
        assert form_value(odd) == unquote_plus(odd.decode())
