"""What the sandbox sends the app is what the whole-app tests send: the same builders, so the
same payloads (bar the one-time values: trigger ids, response URLs, action timestamps)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import pytest
from slack_sdk import WebClient

from bot.emulator import FakeSlack
from bot.emulator import signed_requests as sr
from bot.emulator.driver import SlackDriver
from bot.sandbox.slack_side import SlackSide
from bot.serving import BackgroundServer

SECRET = "payload-secret"
TOKEN = "xoxb-payloads"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ONE_TIME = ("trigger_id", "response_url", "action_ts")

# Every stateful element the app's modals use, in the shape its builders produce.
OPTIONS = [
    {"text": {"type": "plain_text", "text": t}, "value": t.lower()} for t in ("Alpha", "Beta", "Gamma")
]
VIEW = {
    "type": "modal",
    "callback_id": "everything",
    "title": {"type": "plain_text", "text": "Everything"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {"type": "input", "block_id": "text", "label": {"type": "plain_text", "text": "Text"},
         "element": {"type": "plain_text_input", "action_id": "in", "multiline": True}},
        {"type": "input", "block_id": "one", "label": {"type": "plain_text", "text": "One"},
         "element": {"type": "static_select", "action_id": "in", "options": OPTIONS}},
        {"type": "input", "block_id": "many", "label": {"type": "plain_text", "text": "Many"},
         "element": {"type": "multi_static_select", "action_id": "in", "options": OPTIONS}},
        {"type": "input", "block_id": "boxes", "label": {"type": "plain_text", "text": "Boxes"},
         "element": {"type": "checkboxes", "action_id": "in", "options": OPTIONS}},
        {"type": "input", "block_id": "radio", "label": {"type": "plain_text", "text": "Radio"},
         "element": {"type": "radio_buttons", "action_id": "in", "options": OPTIONS, "initial_option": OPTIONS[1]}},
        {"type": "input", "block_id": "number", "label": {"type": "plain_text", "text": "Number"},
         "element": {"type": "number_input", "action_id": "in", "is_decimal_allowed": False}},
        {"type": "input", "block_id": "date", "label": {"type": "plain_text", "text": "Date"}, "optional": True,
         "element": {"type": "datepicker", "action_id": "in"}},
        {"type": "input", "block_id": "people", "label": {"type": "plain_text", "text": "People"}, "optional": True,
         "element": {"type": "multi_users_select", "action_id": "in"}},
        {"type": "input", "block_id": "channels", "label": {"type": "plain_text", "text": "Channels"}, "optional": True,
         "element": {"type": "multi_conversations_select", "action_id": "in"}},
        {"type": "actions", "block_id": "buttons",
         "elements": [{"type": "button", "action_id": "go", "text": {"type": "plain_text", "text": "Go"}, "value": "7"}]},
    ],
}  # fmt: skip
ANSWERS = {
    "text": {"in": "Hello\nthere"},
    "one": {"in": "beta"},
    "many": {"in": ["alpha", "gamma"]},
    "boxes": {"in": ["beta"]},
    "number": {"in": "4"},
    "people": {"in": ["U1"]},
    "channels": {"in": ["C1"]},
}


class Capture:
    """Stands in for the app: records each signed request; keeps modals open (an errors ack)."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        fields = dict(parse_qsl(raw.decode()))
        payload = json.loads(fields["payload"]) if "payload" in fields else fields
        with self.lock:
            self.bodies.append(payload)
        answer = (
            {"response_action": "errors", "errors": {"text": "Again"}}
            if payload.get("type") == "view_submission"
            else {}
        )
        data = json.dumps(answer).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]


@pytest.fixture
def capture() -> Iterator[tuple[Capture, str]]:
    app = Capture()
    server = BackgroundServer(app).start()
    yield app, f"http://127.0.0.1:{server.port}/slack/events"
    server.stop()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack(clock=lambda: NOW.timestamp()).start()
    fake.add_workspace("T1", token=TOKEN)
    fake.add_user("T1", "U1", name="u1")  # Slack's user name; the driver's default is the id, lowered
    fake.add_channel("T1", "C1", name="general", members=["U1", "UBOT"])
    yield fake
    fake.stop()


def without_one_time_values(payload: Any) -> Any:
    if isinstance(payload, dict):
        return {k: without_one_time_values(v) for k, v in payload.items() if k not in ONE_TIME}
    if isinstance(payload, list):
        return [without_one_time_values(v) for v in payload]
    return payload


def test_a_submission_is_the_same_payload_the_whole_app_tests_send(fake: FakeSlack, capture) -> None:
    app, url = capture
    client = WebClient(token=TOKEN, base_url=fake.api_url)
    view = client.views_open(trigger_id=fake.new_trigger_id("T1", "U1"), view=VIEW)["view"]
    driver = SlackDriver(url=url, fake=fake, secret=SECRET, clock=lambda: NOW)
    side = SlackSide(fake=fake, app_url=url, secret=SECRET, team_id="T1", timestamp=NOW.timestamp)

    assert driver.submit("U1", view, ANSWERS, team="T1").status == 200
    assert side.submit("U1", view["id"], ANSWERS).body["response_action"] == "errors"
    from_tests, from_sandbox = app.bodies
    assert without_one_time_values(from_sandbox) == without_one_time_values(from_tests)
    values = from_sandbox["view"]["state"]["values"]
    assert values["one"]["in"] == {"type": "static_select", "selected_option": OPTIONS[1]}
    assert values["radio"]["in"]["selected_option"] == OPTIONS[1]  # unanswered: the initial option
    assert values["date"]["in"] == {"type": "datepicker", "selected_date": None}
    assert values["people"]["in"] == {"type": "multi_users_select", "selected_users": ["U1"]}
    assert from_sandbox["view"]["state"]["values"] == sr.state_values(view, ANSWERS)


def test_clicks_are_the_same_payloads_the_whole_app_tests_send(fake: FakeSlack, capture) -> None:
    app, url = capture
    client = WebClient(token=TOKEN, base_url=fake.api_url)
    view = client.views_open(trigger_id=fake.new_trigger_id("T1", "U1"), view=VIEW)["view"]
    posted = client.chat_postMessage(channel="C1", text="Buttons", blocks=[VIEW["blocks"][-1]])
    message = fake.messages("C1")[-1]
    driver = SlackDriver(url=url, fake=fake, secret=SECRET, clock=lambda: NOW)
    side = SlackSide(fake=fake, app_url=url, secret=SECRET, team_id="T1", timestamp=NOW.timestamp)

    driver.click("U1", "go", view=view, team="T1")
    side.click("U1", block_id="buttons", action_id="go", where={"kind": "view", "view_id": view["id"]})
    driver.click("U1", "go", message=message, channel="C1", ephemeral=False, team="T1")
    side.click(
        "U1",
        block_id="buttons",
        action_id="go",
        where={"kind": "message", "channel": "C1", "ts": posted["ts"]},
    )
    in_view_tests, in_view_sandbox, in_message_tests, in_message_sandbox = app.bodies
    assert without_one_time_values(in_view_sandbox) == without_one_time_values(in_view_tests)
    assert without_one_time_values(in_message_sandbox) == without_one_time_values(in_message_tests)
    assert in_message_sandbox["actions"][0]["value"] == "7" and in_message_sandbox["response_url"]


def test_closing_a_modal_tells_the_app_only_when_it_asked(fake: FakeSlack, capture) -> None:
    app, url = capture
    client = WebClient(token=TOKEN, base_url=fake.api_url)
    side = SlackSide(fake=fake, app_url=url, secret=SECRET, team_id="T1", timestamp=NOW.timestamp)
    quiet = client.views_open(trigger_id=fake.new_trigger_id("T1", "U1"), view=VIEW)["view"]
    assert side.close("U1", quiet["id"]) is None and app.bodies == []
    told = client.views_open(
        trigger_id=fake.new_trigger_id("T1", "U1"), view={**VIEW, "notify_on_close": True}
    )["view"]
    client.views_push(trigger_id=fake.new_trigger_id("T1", "U1"), view={**VIEW, "clear_on_close": True})
    assert side.close("U1", fake.open_modal_stack("T1", "U1")[-1]["id"]) is None
    assert fake.open_modal_stack("T1", "U1") == []  # clear_on_close closed the whole stack
    told = client.views_open(
        trigger_id=fake.new_trigger_id("T1", "U1"), view={**VIEW, "notify_on_close": True}
    )["view"]
    assert side.close("U1", told["id"]).status == 200
    [closed] = app.bodies
    assert (
        closed["type"] == "view_closed"
        and closed["view"]["id"] == told["id"]
        and closed["is_cleared"] is False
    )
