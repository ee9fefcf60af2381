"""Signed inbound requests built the way Slack builds them: slash commands (form-encoded),
interactions (`payload=<url-encoded JSON>`) and Events API callbacks (JSON).

Feed them to the app as `BoltRequest(body=req.text, headers=req.headers)` or POST them to the
app's HTTP endpoint. `state_values()` builds a modal's `state.values` from answers keyed by
action_id, resolving option values to the option objects of the view the fake stored.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from bot.emulator.blockkit import element_options, iter_elements

API_APP_ID = "A0FAKEAPP"  # the app id the fake stamps on views and messages
VERIFICATION_TOKEN = "fake-verification-token"  # deprecated field Slack still sends


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 signature: "v0=" + hex HMAC-SHA256(secret, b"v0:{timestamp}:{body}")."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class SignedRequest:
    body: bytes
    headers: dict[str, str]  # Content-Type, X-Slack-Signature, X-Slack-Request-Timestamp (+ retries)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def payload(self) -> dict[str, Any]:
        """The decoded body, for assertions: form fields, the interaction payload, or the JSON."""
        if self.headers["Content-Type"].startswith("application/json"):
            envelope: dict[str, Any] = json.loads(self.body)
            return envelope
        fields = dict(parse_qsl(self.text, keep_blank_values=True))
        if set(fields) == {"payload"}:
            payload: dict[str, Any] = json.loads(fields["payload"])
            return payload
        return dict(fields)


def _signed(
    secret: str, body: bytes, content_type: str, timestamp: str | None, extra: dict[str, str] | None = None
) -> SignedRequest:
    ts = timestamp if timestamp is not None else str(int(time.time()))
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(secret, ts, body),
        **(extra or {}),
    }
    return SignedRequest(body=body, headers=headers)


def _form(secret: str, fields: dict[str, str], timestamp: str | None) -> SignedRequest:
    return _signed(secret, urlencode(fields).encode(), "application/x-www-form-urlencoded", timestamp)


def _interaction(secret: str, payload: dict[str, Any], timestamp: str | None) -> SignedRequest:
    # Slack sends compact JSON in a single `payload` form field.
    return _form(secret, {"payload": json.dumps(payload, separators=(",", ":"))}, timestamp)


def _team(team_id: str, team_domain: str) -> dict[str, Any]:
    return {"id": team_id, "domain": team_domain or team_id.lower()}


def _user(team_id: str, user_id: str, user_name: str) -> dict[str, Any]:
    name = user_name or user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def _channel_name(channel_id: str) -> str:
    return {"D": "directmessage", "G": "privategroup"}.get(channel_id[:1], "general")


# ---------------------------------------------------------------- slash commands


def slash_command(
    secret: str,
    *,
    team_id: str,
    user_id: str,
    text: str,
    trigger_id: str,
    response_url: str,
    command: str = "/peer-mentor",
    channel_id: str = "C0GENERAL",
    user_name: str = "",
    channel_name: str = "",
    team_domain: str = "",
    timestamp: str | None = None,
) -> SignedRequest:
    fields = {  # Slack's field order
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": team_domain or team_id.lower(),
        "channel_id": channel_id,
        "channel_name": channel_name or _channel_name(channel_id),
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    return _form(secret, fields, timestamp)


# ---------------------------------------------------------------- interactions


def message_container(channel_id: str, message_ts: str, *, is_ephemeral: bool = False) -> dict[str, Any]:
    return {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel_id,
        "is_ephemeral": is_ephemeral,
    }


def view_container(view: dict[str, Any]) -> dict[str, Any]:
    return {"type": "view", "view_id": view["id"]}


def block_actions(
    secret: str,
    *,
    team_id: str,
    user_id: str,
    action_id: str,
    block_id: str,
    trigger_id: str,
    container: dict[str, Any],
    value: str | None = None,
    response_url: str | None = None,
    view: dict[str, Any] | None = None,
    message: dict[str, Any] | None = None,
    selected_option: str | dict[str, Any] | list[Any] | None = None,
    action_type: str | None = None,
    user_name: str = "",
    team_domain: str = "",
    timestamp: str | None = None,
) -> SignedRequest:
    """A click on element `action_id` of block `block_id` in `view` or `message`.

    The element is looked up in the view/message blocks to fill in its type and text as Slack
    does; `selected_option` may be an option value (resolved against the element's options).
    """
    blocks = (view or message or {}).get("blocks") or []
    element = _find_element(blocks, block_id, action_id)
    kind = action_type or (element or {}).get("type") or ("static_select" if selected_option else "button")
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "type": kind}
    if element is not None and "text" in element:
        action["text"] = copy.deepcopy(element["text"])
    if value is not None:
        action["value"] = value
    if selected_option is not None:
        action.update(_selection(kind, element, selected_option))
    action["action_ts"] = f"{time.time():.6f}"

    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(team_id, user_id, user_name),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": container,
        "trigger_id": trigger_id,
        "team": _team(team_id, team_domain),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if view is not None:
        payload["view"] = copy.deepcopy(view)
    if container.get("type") == "message":
        channel_id = container.get("channel_id", "")
        payload["channel"] = {"id": channel_id, "name": _channel_name(channel_id)}
        payload["state"] = {"values": {}}
        if message is not None:
            payload["message"] = copy.deepcopy(message)
    if response_url is not None:
        payload["response_url"] = response_url
    payload["actions"] = [action]
    return _interaction(secret, payload, timestamp)


def view_submission(
    secret: str,
    *,
    team_id: str,
    user_id: str,
    view: dict[str, Any],
    values: dict[str, Any],
    trigger_id: str,
    user_name: str = "",
    team_domain: str = "",
    timestamp: str | None = None,
) -> SignedRequest:
    """Submitting `view` (as the fake stored it) with `values` (see state_values) as its state."""
    submitted = copy.deepcopy(view)
    submitted["state"] = {"values": copy.deepcopy(values)}
    payload = {
        "type": "view_submission",
        "team": _team(team_id, team_domain),
        "user": _user(team_id, user_id, user_name),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": submitted,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _interaction(secret, payload, timestamp)


def view_closed(
    secret: str,
    *,
    team_id: str,
    user_id: str,
    view: dict[str, Any],
    is_cleared: bool = False,
    user_name: str = "",
    team_domain: str = "",
    timestamp: str | None = None,
) -> SignedRequest:
    """Sent only for views opened with notify_on_close=true."""
    payload = {
        "type": "view_closed",
        "team": _team(team_id, team_domain),
        "user": _user(team_id, user_id, user_name),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "view": copy.deepcopy(view),
        "is_cleared": is_cleared,
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _interaction(secret, payload, timestamp)


# ---------------------------------------------------------------- Events API


def event_callback(
    secret: str,
    *,
    team_id: str,
    event: dict[str, Any],
    event_id: str | None = None,
    retry_num: int | None = None,
    retry_reason: str | None = None,
    bot_user_id: str = "UBOT",
    timestamp: str | None = None,
) -> SignedRequest:
    """An Events API delivery; a retry carries X-Slack-Retry-Num / X-Slack-Retry-Reason."""
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": uuid.uuid4().hex,
    }
    extra = {}
    if retry_num is not None:
        extra["X-Slack-Retry-Num"] = str(retry_num)
    if retry_reason is not None:
        extra["X-Slack-Retry-Reason"] = retry_reason
    return _signed(secret, json.dumps(envelope).encode(), "application/json", timestamp, extra)


def url_verification(secret: str, challenge: str, *, timestamp: str | None = None) -> SignedRequest:
    body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return _signed(secret, json.dumps(body).encode(), "application/json", timestamp)


# ---------------------------------------------------------------- view state


_VALUE_KEYS: dict[str, tuple[str, str, Any]] = {  # element type -> (state key, initial key, empty value)
    "plain_text_input": ("value", "initial_value", None),
    "email_text_input": ("value", "initial_value", None),
    "url_text_input": ("value", "initial_value", None),
    "number_input": ("value", "initial_value", None),
    "static_select": ("selected_option", "initial_option", None),
    "external_select": ("selected_option", "initial_option", None),
    "radio_buttons": ("selected_option", "initial_option", None),
    "multi_static_select": ("selected_options", "initial_options", []),
    "multi_external_select": ("selected_options", "initial_options", []),
    "checkboxes": ("selected_options", "initial_options", []),
    "users_select": ("selected_user", "initial_user", None),
    "multi_users_select": ("selected_users", "initial_users", []),
    "conversations_select": ("selected_conversation", "initial_conversation", None),
    "multi_conversations_select": ("selected_conversations", "initial_conversations", []),
    "channels_select": ("selected_channel", "initial_channel", None),
    "multi_channels_select": ("selected_channels", "initial_channels", []),
    "datepicker": ("selected_date", "initial_date", None),
    "timepicker": ("selected_time", "initial_time", None),
    "datetimepicker": ("selected_date_time", "initial_date_time", None),
    "rich_text_input": ("rich_text_value", "initial_value", None),
    "file_input": ("files", "", []),
}
_OPTION_KEYS = {"selected_option", "selected_options"}


def state_values(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """`state.values` as Slack sends it for `view`.

    `answers` is keyed by action_id (`{"goal": "Learn Go"}`) or, where one action_id is used in
    several blocks, by block_id then action_id (`{"goal_block": {"goal": "Learn Go"}}`).
    Every stateful element appears (Slack sends the full state); an unanswered one carries its
    initial value or Slack's empty value (None, or [] for multi-selects and checkboxes). Option
    answers are option values (a list for multi-selects/checkboxes), resolved to the view's
    option objects. Unknown ids or option values raise ValueError: a typo in a test should not
    look like an unanswered question.
    """
    elements = list(_stateful_elements(view))
    for block, element in elements:
        if not block.get("block_id") or not element.get("action_id"):
            raise ValueError(
                "view has blocks/elements without ids; pass the view the fake stored "
                "(Slack fills missing block_id/action_id in)"
            )
    block_ids = {block["block_id"] for block, _ in elements}
    nested = {k: v for k, v in answers.items() if k in block_ids and _is_answer_map(v)}
    flat = {k: v for k, v in answers.items() if k not in nested}
    action_counts: dict[str, int] = {}
    for _, element in elements:
        action_counts[element["action_id"]] = action_counts.get(element["action_id"], 0) + 1
    ambiguous = sorted(a for a in flat if action_counts.get(a, 0) > 1)
    if ambiguous:
        raise ValueError(f"action_ids used in several blocks, answer by block_id instead: {ambiguous}")

    values: dict[str, dict[str, Any]] = {}
    used: set[tuple[str, str]] = set()
    for block, element in elements:
        block_id, action_id, kind = block["block_id"], element["action_id"], element["type"]
        key, initial_key, empty = _VALUE_KEYS[kind]
        given: dict[str, Any] = nested.get(block_id, {})
        if action_id in given or action_id in flat:
            answer = given[action_id] if action_id in given else flat[action_id]
            used.add((block_id, action_id) if action_id in given else ("", action_id))
            value = _resolve_options(element, answer) if key in _OPTION_KEYS else answer
        else:
            value = copy.deepcopy(element.get(initial_key, empty)) if initial_key else copy.deepcopy(empty)
        values.setdefault(block_id, {})[action_id] = {"type": kind, key: value}
    asked = {("", a) for a in flat} | {(b, a) for b, inner in nested.items() for a in inner}
    unknown = sorted("/".join(filter(None, pair)) for pair in asked - used)
    if unknown:
        raise ValueError(f"answers for ids not in the view: {unknown}")
    return values


def _is_answer_map(value: Any) -> bool:
    # {action_id: answer}, as opposed to an option object ({"text": ..., "value": ...}).
    return isinstance(value, dict) and "text" not in value


def _stateful_elements(view: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for block in view.get("blocks") or []:
        for _where, element in iter_elements(block):
            if element.get("type") in _VALUE_KEYS:
                yield block, element


def _resolve_options(element: dict[str, Any], answer: Any) -> Any:
    if answer is None or isinstance(answer, dict):
        return copy.deepcopy(answer)
    if isinstance(answer, (list, tuple)):
        return [_resolve_options(element, a) for a in answer]
    for option in element_options(element):
        if option.get("value") == answer:
            return copy.deepcopy(option)
    valid = [o.get("value") for o in element_options(element)]
    raise ValueError(f"{answer!r} is not an option of {element.get('action_id')!r}; options: {valid}")


def _selection(kind: str, element: dict[str, Any] | None, selected: Any) -> dict[str, Any]:
    key = _VALUE_KEYS.get(kind, ("selected_option", "", None))[0]
    if kind == "overflow":
        key = "selected_option"
    if key in _OPTION_KEYS and element is not None:
        selected = _resolve_options(element, selected)
    return {key: selected}


def _find_element(blocks: list[Any], block_id: str, action_id: str) -> dict[str, Any] | None:
    for block in blocks:
        if isinstance(block, dict) and block.get("block_id") == block_id:
            for _where, element in iter_elements(block):
                if element.get("action_id") == action_id:
                    return element
    return None
