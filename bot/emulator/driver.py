"""Drives the real app over HTTP the way Slack does: signed requests in, fake Web API out.

A test plays a person: types a command, clicks a button in a message or view, fills in and
submits a modal, opens App Home. What the app does in reply is read from the fake Slack.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.emulator import FakeSlack
from bot.emulator import signed_requests as sr


@dataclass
class Response:
    status: int
    body: bytes
    # For commands: where the app may answer later, and the trigger it may use to open a modal.
    response_url: str = ""
    trigger_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def json(self) -> dict[str, Any]:
        """The acknowledgement's body. Slack shows a plain-text one as an ephemeral message."""
        if not self.body:
            return {}
        text = self.body.decode()
        if not text.startswith("{"):
            return {"text": text}
        return json.loads(text)


class SlackDriver:
    def __init__(self, *, url: str, fake: FakeSlack, secret: str, clock: Callable[[], datetime]) -> None:
        self.url = url
        self.fake = fake
        self.secret = secret
        self.clock = clock

    # ------------------------------------------------------------ raw HTTP

    def post(self, request: sr.SignedRequest) -> Response:
        http = urllib.request.Request(self.url, data=request.body, headers=request.headers, method="POST")
        try:
            with urllib.request.urlopen(http, timeout=10) as reply:
                return Response(reply.status, reply.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read())

    def timestamp(self) -> str:
        return str(int(self.clock().timestamp()))

    # ------------------------------------------------------------ what a person does

    def command(self, user: str, text: str = "", *, team: str = "T1", channel: str = "C0GENERAL") -> Response:
        trigger = self.fake.new_trigger_id(team, user)
        response_url = self.fake.new_response_url()
        request = sr.slash_command(
            self.secret,
            team_id=team,
            user_id=user,
            text=text,
            trigger_id=trigger,
            response_url=response_url,
            channel_id=channel,
            timestamp=self.timestamp(),
        )
        reply = self.post(request)
        reply.response_url, reply.trigger_id = response_url, trigger
        return reply

    def click(
        self,
        user: str,
        action_id: str,
        *,
        team: str = "T1",
        message: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        channel: str = "C0GENERAL",
        ephemeral: bool = True,
    ) -> Response:
        """Click the button `action_id` in a message (ephemeral or posted) or a view."""
        source = message if message is not None else view
        assert source is not None, "click in a message or a view"
        block_id, element = find_element(source, action_id)
        trigger = self.fake.new_trigger_id(team, user)
        if view is not None:
            container = sr.view_container(view)
            response_url = None
        else:
            assert message is not None
            ts = message.get("ts", "1700000000.000100")
            container = sr.message_container(message.get("channel", channel), ts, is_ephemeral=ephemeral)
            response_url = self.fake.new_response_url()
        request = sr.block_actions(
            self.secret,
            team_id=team,
            user_id=user,
            action_id=action_id,
            block_id=block_id,
            trigger_id=trigger,
            container=container,
            value=element.get("value"),
            response_url=response_url,
            view=view,
            message=message,
            timestamp=self.timestamp(),
        )
        reply = self.post(request)
        reply.trigger_id, reply.response_url = trigger, response_url or ""
        return reply

    def submit(
        self, user: str, view: dict[str, Any], answers: dict[str, Any], *, team: str = "T1"
    ) -> Response:
        """Fill in the modal (`{block_id: {action_id: answer}}`) and press its submit button."""
        values = sr.state_values(view, answers)
        request = sr.view_submission(
            self.secret,
            team_id=team,
            user_id=user,
            view=view,
            values=values,
            trigger_id=self.fake.new_trigger_id(team, user),
            timestamp=self.timestamp(),
        )
        reply = self.post(request)
        if reply.status == 200:
            self.fake.complete_view_submission(view["id"], reply.json or None)
        return reply

    def event(self, team: str, event: dict[str, Any], **kwargs: Any) -> Response:
        return self.post(
            sr.event_callback(self.secret, team_id=team, event=event, timestamp=self.timestamp(), **kwargs)
        )

    def open_home(self, user: str, *, team: str = "T1") -> dict[str, Any]:
        before = len(self.published_homes(user, team))
        reply = self.event(
            team, {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
        )
        assert reply.status == 200
        return self.wait_home(user, team=team, count=before + 1)

    # ------------------------------------------------------------ what the person sees

    def modal_opened(self, reply: Response) -> dict[str, Any]:
        """The modal the app opened with this reply's trigger."""
        [call] = self.fake.wait_for("views.open", lambda c: c.args["trigger_id"] == reply.trigger_id)
        return call.response["view"]

    def modal_became(self, reply: Response, callback_id: str) -> dict[str, Any]:
        """The modal opened with this reply's trigger once it is `callback_id`'s view. The app
        opens some at once, others saying "one moment" first and then updates them."""
        opened = self.modal_opened(reply)
        if opened.get("callback_id") == callback_id:
            return opened
        [call] = self.fake.wait_for(
            "views.update",
            lambda c: (
                c.args.get("view_id") == opened["id"] and c.response["view"].get("callback_id") == callback_id
            ),
        )
        return call.response["view"]

    def responses(self, reply: Response, count: int = 1) -> list[dict[str, Any]]:
        """What the app posted to this request's response_url (replacing or adding ephemerals)."""
        return self.fake.wait_for_response_posts(reply.response_url, count=count)

    def published_homes(self, user: str, team: str = "T1") -> list[dict[str, Any]]:
        return [
            c.response["view"]
            for c in self.fake.calls_to("views.publish")
            if c.ok and c.args.get("user_id") == user and c.team_id == team
        ]

    def wait_home(self, user: str, *, team: str = "T1", count: int = 1) -> dict[str, Any]:
        calls = self.fake.wait_for(
            "views.publish", lambda c: c.args["user_id"] == user and c.team_id == team, count=count
        )
        return calls[-1].response["view"]

    def dms(self, user: str, *, team: str = "T1", count: int = 1) -> list[dict[str, Any]]:
        """The app's messages in its DM with `user`, once at least `count` have arrived."""
        self.fake.wait_for(
            "chat.postMessage",
            lambda c: c.team_id == team and self.fake.dm_channel(team, [user]) == c.response["channel"],
            count=count,
        )
        return self.fake.messages(self.fake.dm_channel(team, [user]) or "", team_id=team)


def find_element(source: dict[str, Any], action_id: str) -> tuple[str, dict[str, Any]]:
    for index, block in enumerate(source.get("blocks") or []):
        elements = list(block.get("elements") or [])
        if block.get("accessory"):
            elements.append(block["accessory"])
        for element in elements:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                # Slack fills in a block_id the app left out; any stable one will do here.
                return block.get("block_id", f"generated{index}"), element
    raise AssertionError(f"no element {action_id!r} in {[b.get('type') for b in source.get('blocks') or []]}")


def texts(source: dict[str, Any] | list[dict[str, Any]]) -> str:
    """Every piece of text a person would read in a message, view or list of blocks."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str):
                found.append(node["text"])
            for key, value in node.items():
                if key != "text" or not isinstance(value, str):
                    walk(value)
                elif node.get("type") not in ("plain_text", "mrkdwn"):
                    found.append(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(source)
    return "\n".join(found)


def button_labels(source: dict[str, Any]) -> list[str]:
    """The buttons a person sees, in order: in actions blocks and beside section text."""
    labels = []
    for block in source.get("blocks") or []:
        elements = list(block.get("elements") or [])
        if isinstance(block.get("accessory"), dict):
            elements.append(block["accessory"])
        labels += [e["text"]["text"] for e in elements if isinstance(e, dict) and e.get("type") == "button"]
    return labels
