"""Hardening through signed requests: what people type is stored cleanly, out-of-date buttons
and odd payloads are answered without a traceback, retried events happen once, a busy
database says so, and erased words leave the database files."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.config import Settings
from bot.db import make_engine
from bot.emulator import signed_requests as sr
from bot.emulator.driver import SlackDriver, texts
from bot.ids import CheckinAction, FeedbackField, PrivacyAction, ProfileField
from bot.listeners.errors import BUSY
from bot.models import Feedback, Profile
from bot.runtime import build_runtime
from bot.serving import BackgroundServer
from tests.app.conftest import SECRET, TOKEN
from tests.app.test_onboarding import ANSWERS
from tests.pair_factories import make_pair

SECRET_WORDS = "I am secretly interviewing elsewhere"


def feedback_answers(did_well: str, suggestion: str = "Share the draft a day earlier") -> dict:
    return {
        FeedbackField.DID_WELL: {CheckinAction.INPUT: did_well},
        FeedbackField.SUGGESTION: {CheckinAction.INPUT: suggestion},
    }


def errors_logged(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info or r.exc_text]


# --- 5. control characters -------------------------------------------------------------------


def test_control_characters_are_removed_from_what_people_type(slack, runtime, clock, caplog):
    with runtime.deps.session_factory.begin() as session:
        make_pair(session, ("U1", "U2"), agreed_at=clock() - timedelta(days=2))
    modal = slack.modal_opened(slack.command("U1", "feedback"))
    typed = "Clear\x00 notes\x07 on\x1b[31m the\x7f plan\x85\n\tand a tab\ud800"
    ack = slack.submit("U1", modal, feedback_answers(typed, "More\x00 questions"))
    assert ack.status == 200 and ack.json["response_action"] == "update"
    with runtime.deps.session_factory.begin() as session:
        [row] = session.scalars(select(Feedback)).all()
        assert row.did_well == "Clear notes on[31m the plan\n\tand a tab"
        assert row.suggestion == "More questions"
    assert errors_logged(caplog) == []


def test_a_profile_with_a_nul_byte_saves_the_same_on_both_databases(slack, runtime, caplog):
    modal = slack.modal_opened(slack.command("U1", "join"))
    ack = slack.submit("U1", modal, {**ANSWERS, ProfileField.TEAM_NAME: {"value": "Pay\x00ments"}})
    assert ack.status == 200 and ack.json == {}
    with runtime.deps.session_factory.begin() as session:
        assert session.scalar(select(Profile.team_name).where(Profile.user_id == "U1")) == "Payments"
    assert errors_logged(caplog) == []


# --- 6. button values and odd payloads ---------------------------------------------------------

HUGE_ID = "9" * 24


@pytest.mark.parametrize("value", [HUGE_ID, "²", "-1", "1e9", ""])
def test_an_out_of_range_id_in_a_button_says_it_is_out_of_date(slack, runtime, clock, caplog, value):
    with runtime.deps.session_factory.begin() as session:
        make_pair(session, ("U1", "U2"), agreed_at=clock() - timedelta(days=2))
    message = {
        "blocks": [
            {
                "type": "actions",
                "block_id": "b",
                "elements": [
                    {
                        "type": "button",
                        "action_id": CheckinAction.MET,
                        "value": value,
                        "text": {"type": "plain_text", "text": "We met"},
                    },
                    {
                        "type": "button",
                        "action_id": CheckinAction.GIVE_FEEDBACK,
                        "value": f"{value}:U2:",
                        "text": {"type": "plain_text", "text": "Give feedback"},
                    },
                ],
            }
        ]
    }
    for action in (CheckinAction.MET, CheckinAction.GIVE_FEEDBACK):
        reply = slack.click("U1", action, message=message)
        assert reply.status == 200
        [answer] = slack.responses(reply)
        assert "out of date" in answer["text"]
    assert errors_logged(caplog) == []


def _interaction(slack, payload: dict) -> tuple[int, bytes]:
    body = ("payload=" + urllib.parse.quote(json.dumps(payload))).encode()
    ts = slack.timestamp()
    request = urllib.request.Request(
        slack.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sr.sign(SECRET, ts, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _click_payload(**changes) -> dict:
    payload = sr.block_actions(
        SECRET,
        team_id="T1",
        user_id="U1",
        action_id=CheckinAction.MET,
        block_id="b",
        trigger_id="1.2.3",
        container=sr.message_container("C0GENERAL", "1.2"),
        value=SECRET_WORDS,
        response_url="http://127.0.0.1:9/nowhere",
    ).payload()
    for key, value in changes.items():
        if value is None:
            payload.pop(key, None)
        else:
            payload[key] = value
    return payload


def _submission_payload(slack, view_changes: dict) -> dict:
    modal = {
        "id": "V1",
        "callback_id": "feedback_modal",
        "type": "modal",
        "blocks": [],
        "private_metadata": "",
    }
    payload = sr.view_submission(
        SECRET, team_id="T1", user_id="U1", view=modal, values={}, trigger_id="1.2.3"
    ).payload()
    for key, value in view_changes.items():
        if value is None:
            payload["view"].pop(key, None)
        else:
            payload["view"][key] = value
    return payload


@pytest.mark.parametrize(
    "shape",
    [
        "no team id",
        "no trigger_id",
        "no actions",
        "no view.state",
        "view.state not an object",
        "unknown type",
    ],
)
def test_oddly_shaped_signed_payloads_are_refused_in_one_info_line(slack, runtime, caplog, shape):
    caplog.set_level(logging.DEBUG)
    payload = {
        "no team id": lambda: _click_payload(team=None, user={"id": "U1", "name": "u1"}),
        "no trigger_id": lambda: _click_payload(trigger_id=None),
        "no actions": lambda: _click_payload(actions=[]),
        "no view.state": lambda: _submission_payload(slack, {"state": None}),
        "view.state not an object": lambda: _submission_payload(slack, {"state": SECRET_WORDS}),
        "unknown type": lambda: _click_payload(type="block_suggestion"),
    }[shape]()
    status, _ = _interaction(slack, payload)
    assert status == 400
    refusals = [r for r in caplog.records if r.name == "bot.web"]
    assert [r.levelno for r in refusals] == [logging.INFO]
    assert errors_logged(caplog) == []
    assert SECRET_WORDS not in caplog.text


# --- 10. retried events -------------------------------------------------------------------------


def _home_opened(slack, event_id: str, retry: int | None = None) -> sr.SignedRequest:
    request = sr.event_callback(
        SECRET,
        team_id="T1",
        event={"type": "app_home_opened", "user": "U1", "channel": "D0HOME", "tab": "home"},
        event_id=event_id,
        timestamp=slack.timestamp(),
    )
    if retry is not None:
        request.headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return request


def test_a_retried_event_is_acknowledged_and_skipped_by_every_web_process(
    slack, runtime, fake_slack, database_url, clock
):
    assert slack.post(_home_opened(slack, "Ev0001")).status == 200
    slack.wait_home("U1")
    # The retry reaches the same process, then another web process on the same database.
    assert slack.post(_home_opened(slack, "Ev0001", retry=1)).status == 200
    other = build_runtime(runtime.deps.settings, clock=clock, engine=make_engine(database_url))
    server = BackgroundServer(other.web_app, threads=2).start()
    try:
        second = SlackDriver(
            url=f"http://127.0.0.1:{server.port}/slack/events", fake=fake_slack, secret=SECRET, clock=clock
        )
        assert second.post(_home_opened(slack, "Ev0001", retry=2)).status == 200
        # A new event is not a retry: it is handled, and its home is published.
        assert second.post(_home_opened(slack, "Ev0002")).status == 200
        slack.wait_home("U1", count=2)
    finally:
        server.stop()
        other.deps.background.shutdown(wait=True)
        other.engine.dispose()
    assert len(slack.published_homes("U1")) == 2


def test_seen_event_ids_are_forgotten_after_an_hour(slack, runtime, clock):
    assert slack.post(_home_opened(slack, "Ev0003")).status == 200
    slack.wait_home("U1")
    clock.advance(timedelta(hours=1, minutes=1))
    assert slack.post(_home_opened(slack, "Ev0004")).status == 200  # forgets Ev0003 on the way
    slack.wait_home("U1", count=2)
    with runtime.deps.session_factory.begin() as session:
        kept = session.execute(text("SELECT event_id FROM seen_events")).scalars().all()
    assert kept == ["Ev0004"]


# --- 7. a busy database ------------------------------------------------------------------------


@pytest.fixture
def web(database_url, engine, fake_slack, clock) -> Iterator[SlackDriver]:
    """The app as a web process builds it: writers wait at most WEB_WRITE_WAIT_SECONDS."""
    settings = Settings(
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=fake_slack.api_url,
        database_url=database_url,
    )
    runtime = build_runtime(settings, clock=clock)
    server = BackgroundServer(runtime.web_app, threads=4).start()
    yield SlackDriver(
        url=f"http://127.0.0.1:{server.port}/slack/events", fake=fake_slack, secret=SECRET, clock=clock
    )
    server.stop()
    runtime.deps.background.shutdown(wait=True)
    runtime.engine.dispose()


def _hold_writes(database_url):
    """Another process's long write: SQLite's writer turn, or a PostgreSQL table lock."""
    other = make_engine(database_url)
    connection = other.connect()
    transaction = connection.begin()
    if other.dialect.name == "sqlite":
        connection.execute(text("UPDATE workspaces SET created_at = created_at"))
    else:
        connection.execute(text("LOCK TABLE profiles IN EXCLUSIVE MODE"))
    return other, connection, transaction


def test_a_busy_database_asks_the_person_to_try_again_and_healthz_still_answers(web, database_url, caplog):
    modal = web.modal_opened(web.command("U1", "join"))
    other, connection, transaction = _hold_writes(database_url)
    try:
        base = web.url.rsplit("/slack/events", 1)[0]
        with urllib.request.urlopen(base + "/healthz", timeout=1) as health:
            assert health.status == 200
        ack = web.submit("U1", modal, ANSWERS)
        assert ack.status == 200
        assert BUSY in texts(ack.json["view"])
        with urllib.request.urlopen(base + "/healthz", timeout=1) as health:
            assert health.status == 200
    finally:
        transaction.rollback()
        connection.close()
        other.dispose()
    # Once the other writer is done, the same form goes through.
    modal = web.modal_opened(web.command("U1", "join"))
    assert web.submit("U1", modal, ANSWERS).json == {}
    assert errors_logged(caplog) == []


# --- 9. erased means erased, in the files too ---------------------------------------------------


def test_erased_words_are_in_neither_the_database_nor_its_write_ahead_log(
    slack, runtime, database_url, clock
):
    with runtime.deps.session_factory.begin() as session:
        make_pair(session, ("U1", "U2"), agreed_at=clock() - timedelta(days=2))
    modal = slack.modal_opened(slack.command("U1", "profile"))
    assert (
        slack.submit("U1", modal, {**ANSWERS, ProfileField.TEAM_NAME: {"value": "Quuxfeather squad"}}).json
        == {}
    )
    modal = slack.modal_opened(slack.command("U1", "feedback"))
    assert slack.submit("U1", modal, feedback_answers(SECRET_WORDS)).status == 200
    words = (b"Quuxfeather", SECRET_WORDS.encode())
    with runtime.deps.session_factory.begin() as session:
        stored = session.scalar(select(Profile.team_name).where(Profile.user_id == "U1")) + session.scalar(
            select(Feedback.did_well)
        )
        assert all(w.decode() in stored for w in words)

    confirm = slack.command("U1", "delete-my-data")
    click = slack.click("U1", PrivacyAction.DELETE_CONFIRMED, message=confirm.json)
    assert "erased" in slack.responses(click)[0]["text"]

    with runtime.deps.session_factory.begin() as session:
        assert session.scalar(select(Profile.id).where(Profile.user_id == "U1")) is None
        assert session.scalars(select(Feedback)).all() == []
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        wal = path.with_name(path.name + "-wal")
        raw = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        assert [w for w in words if w in raw] == []
