"""What the front-door fuzz test (tests/app/test_fuzz_front_door.py) found, one regression test
each, through signed requests: a trigger Slack refuses, requests nothing listens for, ids not
of Slack's form, and a user_change whose `deleted` is merely truthy."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.emulator import signed_requests as sr
from bot.listeners.errors import TOO_LATE
from bot.models import Pair, Workspace
from tests.app.conftest import SECRET
from tests.pair_factories import make_pair


def troubles(caplog) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.levelno >= logging.ERROR or r.exc_info or r.exc_text or r.name.startswith("slack_bolt")
    ]


def signed_json(slack, payload: dict) -> sr.SignedRequest:
    body = json.dumps(payload).encode()
    timestamp = slack.timestamp()
    return sr.SignedRequest(
        body,
        {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sr.sign(SECRET, timestamp, body),
        },
    )


def test_a_trigger_slack_refuses_tells_the_person_to_try_again_in_one_line(slack, runtime, clock, caplog):
    caplog.set_level(logging.INFO)
    with runtime.deps.session_factory.begin() as session:
        make_pair(session, ("U1", "U2"), agreed_at=clock() - timedelta(days=2))
    # A trigger Slack never issued (or one over 3 seconds old, or used already): views.open
    # answers invalid_trigger_id and the form can't open.
    response_url = slack.fake.new_response_url()
    request = sr.slash_command(
        SECRET,
        team_id="T1",
        user_id="U1",
        text="feedback",
        trigger_id="1234.5678.notatrigger",
        response_url=response_url,
        timestamp=slack.timestamp(),
    )
    assert slack.post(request).status == 200
    [told] = slack.fake.wait_for_response_posts(response_url)
    assert told["text"] == TOO_LATE
    runtime.deps.background.shutdown(wait=True)
    assert troubles(caplog) == []
    assert [r.getMessage() for r in caplog.records if r.name == "bot.listeners.errors"] == [
        "a form could not open for a /peer-mentor: invalid_trigger_id"
    ]


def test_requests_nothing_listens_for_are_answered_in_one_info_line(slack, caplog):
    caplog.set_level(logging.INFO)
    closed = sr.view_closed(
        SECRET,
        team_id="T1",
        user_id="U1",
        view={"id": "V1", "type": "modal", "callback_id": "feedback_modal", "blocks": []},
        timestamp=slack.timestamp(),
    )
    assert slack.post(closed).status == 404  # no modal here asks to hear of its closing
    message = sr.event_callback(
        SECRET,
        team_id="T1",
        event={"type": "message", "user": "U1", "text": "hello", "channel": "D0U1", "ts": "1.2"},
        timestamp=slack.timestamp(),
    )
    assert slack.post(message).status == 200  # an event is acknowledged, so it isn't retried
    assert troubles(caplog) == []
    assert [r.getMessage() for r in caplog.records if r.name == "bot.listeners.errors"] == [
        "no listener for a view_closed",
        "no listener for a event_callback",
    ]


def workspaces(runtime) -> int:
    with runtime.deps.session_factory.begin() as session:
        return session.scalar(select(func.count()).select_from(Workspace)) or 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("team_id", "T1\x00"),  # PostgreSQL refuses a NUL in a query: that was a traceback
        ("team_id", " "),
        ("team_id", "²"),
        ("team_id", "9" * 24),
        ("user_id", "\x00" * 40),
        ("user_id", "U" * 40),
        ("channel_id", "general"),
    ],
)
def test_an_id_not_of_slacks_form_is_refused_and_stores_nothing(slack, runtime, caplog, field, value):
    caplog.set_level(logging.INFO)
    before = workspaces(runtime)
    fields = {"team_id": "T1", "user_id": "U1", "channel_id": "C0GENERAL", field: value}
    request = sr.slash_command(
        SECRET,
        team_id=fields["team_id"],
        user_id=fields["user_id"],
        channel_id=fields["channel_id"],
        text="export",
        trigger_id=slack.fake.new_trigger_id("T1", "U1"),
        response_url=slack.fake.new_response_url(),
        timestamp=slack.timestamp(),
    )
    assert slack.post(request).status == 400
    assert [r.getMessage() for r in caplog.records if r.name == "bot.web"] == [
        f"rejected a Slack request: an odd {field}"
    ]
    assert troubles(caplog) == [] and workspaces(runtime) == before


@pytest.mark.parametrize("event_id", ["", "ev0001", "Ev\x00", "Ev" + "9" * 40])
def test_an_event_with_an_odd_id_makes_no_workspace(slack, runtime, event_id):
    home_opened = {"type": "app_home_opened", "user": "U1", "channel": "D0HOME", "tab": "home"}
    payload = json.loads(sr.event_callback(SECRET, team_id="T9NEW", event=home_opened).body)
    payload["event_id"] = event_id
    assert slack.post(signed_json(slack, payload)).status == 400
    assert workspaces(runtime) == 0


@pytest.mark.parametrize("deleted", [{"x": 1}, "yes", 1, ["true"]])
def test_only_a_true_deleted_ends_a_pair_on_user_change(slack, runtime, fake_slack, clock, deleted):
    with runtime.deps.session_factory.begin() as session:
        pair_id = make_pair(session, ("U1", "U2"), agreed_at=clock() - timedelta(days=2))

    def user_change(value) -> int:
        return slack.event("T1", {"type": "user_change", "user": {"id": "U2", "deleted": value}}).status

    assert user_change(deleted) == 200
    runtime.deps.background.shutdown(wait=True)
    with runtime.deps.session_factory.begin() as session:
        assert session.get(Pair, pair_id).ended_at is None
    assert fake_slack.dm_channel("T1", ["U1"]) is None  # nobody was told the pairing ended
