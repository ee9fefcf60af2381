"""A bounded fuzz test of the front door: every kind of request Slack sends (slash commands,
block_actions, view_submission, view_closed, events), correctly signed, with its shape broken
at random: keys missing, values of the wrong type, huge strings, NUL and control characters,
odd ids.

For each request: no 5xx, nothing logged at ERROR or with a traceback, and no table changed
that the same request unbroken does not change (measured first, by sending each one as Slack
would), nor any text stored with a control character in it. Hypothesis runs a fixed number of
examples in a fixed order (`derandomize`, no example database), so every run, here or in CI,
sends the same requests.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.emulator import signed_requests as sr
from bot.ids import (
    Action,
    AdminId,
    CheckinAction,
    FeedbackField,
    PairAction,
    PrivacyAction,
    RulesAction,
    SettingsField,
)
from bot.models import Base
from tests.app.conftest import ADMIN, SECRET
from tests.app.test_onboarding import ANSWERS
from tests.pair_factories import make_pair

EXAMPLES = 50  # per kind of request: about 15 s for all four on SQLite, well under a minute
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # One app and one database serve every example (a fresh app per example would take
    # minutes); each example is judged against the state it found.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Slack's longest text input holds 3000 characters, so no valid request stores more.
LONGEST_INPUT = 3000


# --- what can go wrong in a value -------------------------------------------------------------

odd_ids = st.sampled_from(["9" * 24, "-1", "0", "²", "1e9", "U" * 40, "", " ", "\x00", "T1\x00", "U1:U2:3"])
control_text = st.text(alphabet=st.characters(codec="utf-8", max_codepoint=0x9F), max_size=12)
huge_text = st.builds(
    lambda n, c: c * n, st.integers(3_000, 300_000), st.sampled_from(["A", "\x00", "é", "<"])
)
odd_text = st.one_of(st.text(max_size=20), control_text, huge_text, odd_ids)
junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), odd_text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@dataclass(frozen=True)
class Broken:
    path: tuple[Any, ...]
    change: str  # "delete" or "replace"
    value: Any = None


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


def _is_url(path: tuple[Any, ...]) -> bool:
    # The app posts to a response URL it is given: a broken one may be missing or of the
    # wrong type, but never a new address (nothing here may be sent off this machine).
    return any(isinstance(key, str) and "url" in key for key in path)


def _break(payload: dict[str, Any], broken: list[Broken]) -> dict[str, Any]:
    result = copy.deepcopy(payload)
    for change in broken:
        parent: Any = result
        try:
            for key in change.path[:-1]:
                parent = parent[key]
            last = change.path[-1]
            if change.change == "delete":
                del parent[last]
            elif not (_is_url(change.path) and isinstance(change.value, str)):
                parent[last] = change.value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced this part
    return result


# Where a broken value does the most harm: ids, the request's kind, what a listener reads.
KEY_NAMES = frozenset(
    {
        "type",
        "command",
        "text",
        "team_id",
        "user_id",
        "channel_id",
        "trigger_id",
        "id",
        "team",
        "user",
        "actions",
        "action_id",
        "value",
        "view",
        "state",
        "values",
        "private_metadata",
        "callback_id",
        "event",
        "event_id",
        "tab",
        "deleted",
        "tz",
        "selected_option",
        "selected_options",
        "container",
    }
)


def breakages(payload: dict[str, Any], values: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Broken]]:
    paths = list(_paths(payload))
    keys = [p for p in paths if isinstance(p[-1], str) and p[-1] in KEY_NAMES] or paths
    where = st.one_of(st.sampled_from(keys), st.sampled_from(paths))
    one = st.builds(
        Broken, where, st.sampled_from(["delete", "replace", "replace"]), st.one_of(odd_ids, values)
    )
    return st.lists(one, min_size=1, max_size=3)


# --- the requests, as Slack sends them ---------------------------------------------------------


def _signed(body: bytes, content_type: str, timestamp: str) -> sr.SignedRequest:
    return sr.SignedRequest(
        body=body,
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sr.sign(SECRET, timestamp, body),
        },
    )


def interaction(payload: dict[str, Any], timestamp: str) -> sr.SignedRequest:
    body = ("payload=" + quote(json.dumps(payload, separators=(",", ":")))).encode()
    return _signed(body, "application/x-www-form-urlencoded", timestamp)


def command(fields: dict[str, Any], timestamp: str) -> sr.SignedRequest:
    return _signed(urlencode(fields).encode(), "application/x-www-form-urlencoded", timestamp)


def event(payload: dict[str, Any], timestamp: str) -> sr.SignedRequest:
    return _signed(json.dumps(payload).encode(), "application/json", timestamp)


class Front:
    """The app behind its front door, with what each unbroken request changes."""

    def __init__(self, slack, runtime, caplog) -> None:
        self.slack, self.runtime, self.caplog = slack, runtime, caplog
        self.fake = slack.fake
        # One follow-up thread, so "everything queued so far is done" is one more task done.
        runtime.deps.background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="after-ack")
        with runtime.deps.session_factory.begin() as session:
            self.pair_id = make_pair(session, ("U1", "U2"), agreed_at=slack.clock() - timedelta(days=2))
        self.views = {
            "feedback": self._modal("U1", "feedback"),
            "profile": self._modal("U1", "join"),
            "rules": self._modal("U1", "rules"),
            "admin": self._modal(ADMIN, "admin", becomes=AdminId.SETTINGS_MODAL),
        }
        self.allowed: dict[str, set[str]] = {}

    def _modal(self, user: str, text: str, becomes: str | None = None) -> dict[str, Any]:
        reply = self.slack.command(user, text)
        view = self.slack.modal_became(reply, becomes) if becomes else self.slack.modal_opened(reply)
        self.fake.close_modal(view["id"])
        return view

    def settle(self) -> None:
        self.runtime.deps.background.submit(lambda: None).result(timeout=60)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        with self.runtime.engine.connect() as connection:
            return {
                table.name: [
                    tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key))
                ]
                for table in Base.metadata.sorted_tables
            }

    def send(self, request: sr.SignedRequest) -> tuple[int, set[str], dict[str, list[tuple[Any, ...]]]]:
        """Post it; the status, the tables it changed, and what they hold now."""
        self.settle()
        before = self.snapshot()
        self.caplog.clear()
        status = self.slack.post(request).status
        self.settle()
        after = self.snapshot()
        changed = {name for name in after if after[name] != before[name]}
        return status, changed, {name: [r for r in after[name] if r not in before[name]] for name in changed}

    def learn(self, name: str, request: sr.SignedRequest) -> None:
        """Send the unbroken request, and remember which tables it may change."""
        status, changed, _ = self.send(request)
        assert status in (200, 404), (name, status)  # 404: nothing here listens for it
        self.allowed[name] = self.allowed.get(name, {"seen_events"}) | changed


@pytest.fixture
def front(slack, runtime, fake_slack, caplog) -> Front:
    caplog.set_level(logging.INFO)
    # Hundreds of requests from one person within seconds, faster than anyone clicks: Slack's
    # tiers would answer 429 and the properties checked here are not about pacing.
    fake_slack.set_tiers(on=False)
    return Front(slack, runtime, caplog)


def _commands(front: Front) -> dict[str, Callable[[], dict[str, Any]]]:
    def fields(user: str, text: str) -> Callable[[], dict[str, Any]]:
        return lambda: {
            "token": sr.VERIFICATION_TOKEN,
            "team_id": "T1",
            "team_domain": "t1",
            "channel_id": "C0GENERAL",
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/peer-mentor",
            "text": text,
            "api_app_id": sr.API_APP_ID,
            "is_enterprise_install": "false",
            "response_url": front.fake.new_response_url(),
            "trigger_id": front.fake.new_trigger_id("T1", user),
        }

    texts = ["", "help", "status", "feedback", "rules", "join", "checkin", "export", "summary"]
    made = {f"/peer-mentor {text}": fields("U1", text) for text in texts}
    made["/peer-mentor admin"] = fields(ADMIN, "admin")
    return made


def _actions(front: Front) -> dict[str, Callable[[], dict[str, Any]]]:
    def click(user: str, action_id: str, value: str) -> Callable[[], dict[str, Any]]:
        def payload() -> dict[str, Any]:
            return sr.block_actions(
                SECRET,
                team_id="T1",
                user_id=user,
                action_id=action_id,
                block_id="b1",
                trigger_id=front.fake.new_trigger_id("T1", user),
                container=sr.message_container("D0U1", "1700000000.000100", is_ephemeral=True),
                value=value,
                response_url=front.fake.new_response_url(),
            ).payload()

        return payload

    pair = front.pair_id
    return {
        "give feedback": click("U1", CheckinAction.GIVE_FEEDBACK, f"{pair}:U2:"),
        "we met": click("U1", CheckinAction.MET, "0"),
        "help": click("U1", Action.HELP, "help"),
        "edit profile": click("U1", Action.EDIT_PROFILE, "edit"),
        "set ground rules": click("U1", PairAction.SET_GROUND_RULES, str(pair)),
        "agree to rules": click("U2", RulesAction.AGREE, f"{pair}:1"),
        "export": click("U1", PrivacyAction.EXPORT, "export"),
        "admin settings": click(ADMIN, AdminId.OPEN_SETTINGS, "open"),
    }


def _views(front: Front) -> dict[str, Callable[[], dict[str, Any]]]:
    feedback_answers = {
        FeedbackField.DID_WELL: {CheckinAction.INPUT: "You kept us on time"},
        FeedbackField.SUGGESTION: {CheckinAction.INPUT: "Bring one question"},
    }

    def submit(user: str, view: dict[str, Any], answers: dict[str, Any]) -> Callable[[], dict[str, Any]]:
        return lambda: sr.view_submission(
            SECRET,
            team_id="T1",
            user_id=user,
            view=view,
            values=sr.state_values(view, answers),
            trigger_id=front.fake.new_trigger_id("T1", user),
        ).payload()

    def closed(user: str, view: dict[str, Any]) -> Callable[[], dict[str, Any]]:
        return lambda: sr.view_closed(SECRET, team_id="T1", user_id=user, view=view).payload()

    views = front.views
    return {
        "feedback submitted": submit("U1", views["feedback"], feedback_answers),
        "profile submitted": submit("U1", views["profile"], ANSWERS),
        "rules submitted empty": submit("U1", views["rules"], {}),
        "admin settings submitted": submit(ADMIN, views["admin"], {}),
        "feedback closed": closed("U1", views["feedback"]),
    }


# Valid requests of a kind that change more than the one fuzzed: what they change may change.
ALSO_VALID: dict[str, Callable[[Front], dict[str, Any]]] = {
    # The same settings form with a setting changed: a broken one may be read as that.
    "admin settings submitted": lambda front: sr.view_submission(
        SECRET,
        team_id="T1",
        user_id=ADMIN,
        view=front.views["admin"],
        values=sr.state_values(front.views["admin"], {SettingsField.QUIET_DAYS: {AdminId.INPUT: []}}),
        trigger_id=front.fake.new_trigger_id("T1", ADMIN),
    ).payload(),
}


def _events(front: Front) -> dict[str, Callable[[], dict[str, Any]]]:
    def envelope(inner: dict[str, Any]) -> Callable[[], dict[str, Any]]:
        return lambda: json.loads(
            sr.event_callback(
                SECRET, team_id="T1", event=inner, event_id="Ev" + uuid.uuid4().hex[:10].upper()
            ).body
        )

    return {
        "home opened": envelope(
            {"type": "app_home_opened", "user": "U1", "channel": "D0HOME", "tab": "home"}
        ),
        "user changed": envelope(
            {
                "type": "user_change",
                "user": {"id": "U2", "tz": "Europe/Paris", "deleted": False, "is_bot": False},
            }
        ),
        "a message": envelope(
            {"type": "message", "user": "U1", "text": "hi", "channel": "D0U1", "ts": "1.2"}
        ),
        "url verification": lambda: {
            "token": sr.VERIFICATION_TOKEN,
            "challenge": "abc123",
            "type": "url_verification",
        },
    }


KINDS: dict[
    str,
    tuple[Callable[[Front], dict[str, Callable[[], dict[str, Any]]]], Callable[..., sr.SignedRequest], Any],
] = {
    "command": (_commands, command, odd_text),  # a form carries only strings
    "block_actions": (_actions, interaction, junk),
    "view": (_views, interaction, junk),
    "event": (_events, event, junk),
}


def troubles(records: list[logging.LogRecord]) -> list[str]:
    """Errors, tracebacks, and Bolt's own warnings (several lines, quoting the request)."""
    return [
        r.getMessage()
        for r in records
        if r.levelno >= logging.ERROR
        or r.exc_info
        or r.exc_text
        or (r.name.startswith("slack_bolt") and r.levelno >= logging.WARNING)
    ]


@pytest.mark.parametrize("kind", list(KINDS))
def test_broken_signed_requests_are_answered_without_a_5xx_a_traceback_or_a_stray_write(front, kind):
    make_templates, sign, values = KINDS[kind]
    templates = make_templates(front)
    for name, template in templates.items():
        front.learn(name, sign(template(), front.slack.timestamp()))
        if name in ALSO_VALID:
            front.learn(name, sign(ALSO_VALID[name](front), front.slack.timestamp()))
    names = sorted(templates)
    shapes = {name: templates[name]() for name in names}

    @FUZZ
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(names), label="request")
        broken = data.draw(breakages(shapes[name], values), label="broken")
        payload = _break(templates[name](), broken)
        status, changed, added = front.send(sign(payload, front.slack.timestamp()))

        assert status < 500, (name, broken, status)
        assert troubles(front.caplog.records) == [], (name, broken)
        assert changed <= front.allowed[name], (name, broken, changed - front.allowed[name])
        stored = [v for rows in added.values() for row in rows for v in row if isinstance(v, str)]
        assert not [v for v in stored if CONTROL.search(v) or len(v) > LONGEST_INPUT], (name, broken)

    fuzz()
