"""The half of Slack that talks to the app: what Slack sends when a person types a command,
clicks, submits or closes a modal, or opens App Home, and what it does with the answers.

Requests are built by bot.emulator.signed_requests (as for the whole-app tests), signed with
the sandbox's clock, and POSTed to the app's real HTTP front door. What the app answers in an
acknowledgement is applied as Slack applies it: a command's reply shown to the person, a
view_submission's response_action applied to the modal stack (FakeSlack does both).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.emulator import FakeSlack
from bot.emulator import signed_requests as sr
from bot.emulator.blockkit import iter_elements

logger = logging.getLogger(__name__)

ACK_DEADLINE_S = 3.0  # (Slack) every request must be acknowledged within 3 seconds
HTTP_TIMEOUT_S = 10.0


class SandboxError(Exception):
    """Something the person did cannot happen (say, a click on a message that is gone)."""


@dataclass
class Delivery:
    """What came of one request to the app, as the page reports it."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    trigger_id: str = ""
    response_url: str = ""
    error: str | None = None  # what Slack would show instead of the app's answer

    @property
    def slow(self) -> bool:
        return self.seconds > ACK_DEADLINE_S

    def report(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "seconds": round(self.seconds, 3)}
        if self.error:
            out["error"] = self.error
        if self.slow:
            out["warning"] = (
                f"The app took {self.seconds:.1f} s to acknowledge; Slack gives up after "
                f"{ACK_DEADLINE_S:.0f} s and would have shown the person an error."
            )
        return out


class SlackSide:
    def __init__(
        self,
        *,
        fake: FakeSlack,
        app_url: str,
        secret: str,
        team_id: str,
        timestamp: Callable[[], float],
        command: str = "/peer-mentor",
    ) -> None:
        self.fake = fake
        self.app_url = app_url
        self.secret = secret
        self.team_id = team_id
        self.timestamp = timestamp
        self.command_name = command
        self._lock = threading.Lock()
        # (user, callback_id) of every modal a person submitted successfully.
        self.submitted: set[tuple[str, str]] = set()

    # ------------------------------------------------------------ plumbing

    def _ts(self) -> str:
        return str(int(self.timestamp()))

    def post(self, request: sr.SignedRequest) -> Delivery:
        http = urllib.request.Request(self.app_url, data=request.body, headers=request.headers, method="POST")
        started = time.monotonic()
        try:
            with urllib.request.urlopen(http, timeout=HTTP_TIMEOUT_S) as reply:
                status, raw = reply.status, reply.read()
        except urllib.error.HTTPError as failure:
            status, raw = failure.code, failure.read()
        except OSError as failure:
            return Delivery(
                0, seconds=time.monotonic() - started, error=f"the app did not answer ({failure})"
            )
        delivery = Delivery(status, _ack_body(raw), seconds=time.monotonic() - started)
        if status != 200:
            delivery.error = f"the app answered HTTP {status}"
        return delivery

    def _user_name(self, user_id: str) -> str:
        for person in self.fake.people(self.team_id):
            if person["id"] == user_id:
                return str(person["name"])
        raise SandboxError(f"there is nobody called {user_id} in this workspace")

    def _channel_name(self, channel_id: str) -> str:
        for channel in self.fake.channels(self.team_id):
            if channel["id"] == channel_id:
                return str(channel["name"])
        return {"D": "directmessage", "G": "privategroup"}.get(channel_id[:1], channel_id)

    # ------------------------------------------------------------ what a person does

    def command(self, user_id: str, channel_id: str, text: str) -> Delivery:
        """`/peer-mentor <text>` typed in a conversation; the ack's reply is shown to the person."""
        self._require_member(user_id, channel_id)
        trigger = self.fake.new_trigger_id(self.team_id, user_id)
        response_url = self.fake.new_response_url(
            team_id=self.team_id, user_id=user_id, channel_id=channel_id
        )
        request = sr.slash_command(
            self.secret,
            team_id=self.team_id,
            user_id=user_id,
            text=text,
            trigger_id=trigger,
            response_url=response_url,
            command=self.command_name,
            channel_id=channel_id,
            user_name=self._user_name(user_id),
            channel_name=self._channel_name(channel_id),
            timestamp=self._ts(),
        )
        delivery = self.post(request)
        delivery.trigger_id, delivery.response_url = trigger, response_url
        if delivery.status == 200:
            self.fake.show_command_reply(
                self.team_id, user_id, channel_id, delivery.body, response_url=response_url
            )
        else:
            # Slack's own words when a command's request fails.
            delivery.error = f'{self.command_name} failed with the error "dispatch_failed"'
        return delivery

    def click(
        self,
        user_id: str,
        *,
        block_id: str,
        action_id: str,
        where: dict[str, Any],
        selected: Any = None,
        answers: dict[str, Any] | None = None,
    ) -> Delivery:
        """A click (or choice) on an element of a message, an ephemeral message or a view.

        `where` is {"kind": "message"|"ephemeral", "channel": id, "ts": ts} or {"kind": "view",
        "view_id": id}; `answers` are a modal's current inputs, sent as its state as Slack does.
        """
        kind = where.get("kind")
        trigger = self.fake.new_trigger_id(self.team_id, user_id)
        response_url: str | None = None
        view: dict[str, Any] | None = None
        message: dict[str, Any] | None = None
        if kind == "view":
            view = self._open_view(user_id, str(where.get("view_id")))
            if answers:
                view["state"] = {"values": self.state_values(view, answers)}
            container = sr.view_container(view)
            blocks = view.get("blocks") or []
        elif kind in ("message", "ephemeral"):
            channel, ts = str(where.get("channel")), str(where.get("ts"))
            ephemeral = kind == "ephemeral"
            found = (
                self._ephemeral(user_id, channel, ts) if ephemeral else self._message(user_id, channel, ts)
            )
            container = sr.message_container(channel, ts, is_ephemeral=ephemeral)
            response_url = self.fake.new_response_url(
                team_id=self.team_id,
                user_id=user_id,
                channel_id=channel,
                message_ts=ts,
                is_ephemeral=ephemeral,
            )
            # Slack sends the message itself only for messages posted in the conversation.
            message = None if ephemeral else found
            blocks = found.get("blocks") or []
        else:
            raise SandboxError(f"a click must be in a message, an ephemeral message or a view, not {kind!r}")
        block_id, element = _element(blocks, block_id, action_id)
        request = sr.block_actions(
            self.secret,
            team_id=self.team_id,
            user_id=user_id,
            action_id=action_id,
            block_id=block_id,
            trigger_id=trigger,
            container=container,
            value=element.get("value") if element.get("type") == "button" else None,
            response_url=response_url,
            view=view,
            message=message,
            selected_option=selected,
            user_name=self._user_name(user_id),
            timestamp=self._ts(),
        )
        delivery = self.post(request)
        delivery.trigger_id, delivery.response_url = trigger, response_url or ""
        return delivery

    def submit(self, user_id: str, view_id: str, answers: dict[str, Any]) -> Delivery:
        """Press a modal's submit button with these inputs (`{block_id: {action_id: answer}}`)."""
        view = self._open_view(user_id, view_id)
        values = self.state_values(view, answers)
        request = sr.view_submission(
            self.secret,
            team_id=self.team_id,
            user_id=user_id,
            view=view,
            values=values,
            trigger_id=self.fake.new_trigger_id(self.team_id, user_id),
            user_name=self._user_name(user_id),
            timestamp=self._ts(),
        )
        delivery = self.post(request)
        if delivery.status != 200:
            delivery.error = "We had some trouble connecting. Try again?"  # Slack's words
            return delivery
        try:
            self.fake.complete_view_submission(view_id, delivery.body or None)
        except AssertionError as refused:
            delivery.error = (
                f"We had some trouble connecting. Try again? (Slack refused the app's answer: {refused})"
            )
            return delivery
        if delivery.body.get("response_action") != "errors":
            with self._lock:
                self.submitted.add((user_id, str(view.get("callback_id") or "")))
        return delivery

    def close(self, user_id: str, view_id: str) -> Delivery | None:
        """Close (Cancel or X) a modal; the app hears of it only if it asked (notify_on_close)."""
        view = self._open_view(user_id, view_id)
        clears = bool(view.get("clear_on_close"))
        self.fake.close_modal(view_id)
        if not view.get("notify_on_close"):
            return None
        request = sr.view_closed(
            self.secret,
            team_id=self.team_id,
            user_id=user_id,
            view=view,
            is_cleared=clears,
            user_name=self._user_name(user_id),
            timestamp=self._ts(),
        )
        return self.post(request)

    def open_home(self, user_id: str) -> Delivery:
        """The person opens the app's Home tab: Slack sends app_home_opened."""
        channel = self.fake.open_app_dm(self.team_id, user_id)
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": channel,
            "tab": "home",
            "event_ts": f"{self.timestamp():.6f}",
        }
        home = self.fake.home_view(self.team_id, user_id)
        if home is not None:
            event["view"] = home
        return self.post(
            sr.event_callback(self.secret, team_id=self.team_id, event=event, timestamp=self._ts())
        )

    def say(self, user_id: str, channel_id: str, text: str) -> str:
        """A plain message typed by the person (the app subscribes to no message events)."""
        self._require_member(user_id, channel_id)
        return self.fake.add_message(self.team_id, channel_id, user=user_id, text=text)

    # ------------------------------------------------------------ helpers

    def state_values(self, view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
        """state.values exactly as the whole-app tests build them (signed_requests.state_values)."""
        try:
            return sr.state_values(view, answers)
        except ValueError as wrong:
            raise SandboxError(str(wrong)) from None

    def modal_opened(self, delivery: Delivery, *, timeout: float = 5.0) -> dict[str, Any]:
        """The modal the app opened with this request's trigger (views.open)."""
        [call] = self.fake.wait_for(
            "views.open", lambda c: c.args["trigger_id"] == delivery.trigger_id, timeout=timeout
        )
        return dict(call.response["view"])

    def _open_view(self, user_id: str, view_id: str) -> dict[str, Any]:
        stack = self.fake.open_modal_stack(self.team_id, user_id)
        for view in stack:
            if view["id"] == view_id:
                return view
        home = self.fake.home_view(self.team_id, user_id)
        if home is not None and home["id"] == view_id:
            return home
        raise SandboxError("that view is not open any more")

    def _require_member(self, user_id: str, channel_id: str) -> None:
        if not any(c["id"] == channel_id for c in self.fake.conversations_for(self.team_id, user_id)):
            raise SandboxError("you are not in that conversation")

    def _message(self, user_id: str, channel_id: str, ts: str) -> dict[str, Any]:
        for conv in self.fake.conversations_for(self.team_id, user_id):
            if conv["id"] == channel_id:
                for message in conv["messages"]:
                    if message["ts"] == ts:
                        return dict(message)
        raise SandboxError("that message is gone")

    def _ephemeral(self, user_id: str, channel_id: str, ts: str) -> dict[str, Any]:
        for message in self.fake.ephemeral_for(self.team_id, user_id):
            if message["channel"] == channel_id and message["ts"] == ts:
                return message
        raise SandboxError("that message is gone")


def _ack_body(raw: bytes) -> dict[str, Any]:
    """An ack body as Slack reads it: JSON, or plain text (shown as a message)."""
    text = raw.decode("utf-8", "replace").strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return {"text": text}
        return parsed if isinstance(parsed, dict) else {}
    return {"text": text}


def _element(blocks: list[dict[str, Any]], block_id: str, action_id: str) -> tuple[str, dict[str, Any]]:
    """The element clicked, and its block's id. A page showing a view or message just before
    the app replaced it knows the old block ids (Slack makes new ones for blocks without), so
    an action_id found once in the current version stands for it."""
    found = []
    for block in blocks:
        for _where, element in iter_elements(block):
            if element.get("action_id") == action_id:
                if block.get("block_id") == block_id:
                    return block_id, element
                found.append((str(block.get("block_id")), element))
    if len(found) == 1:
        return found[0]
    raise SandboxError("that button or menu is not there any more")
