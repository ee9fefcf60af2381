"""slack-app-manifest.yml is what Slack accepts, and it matches the code: every event a listener
waits for is subscribed (and the reverse), every Web API method the app calls has its scope,
and no scope is requested that nothing uses.

The limits are those of Slack's app manifest reference (and its published JSON schema,
manifest schema 1.0.0); the event and scope names are Slack's, in the tables below.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from slack_bolt import App
from slack_sdk import WebClient

from bot.emulator.context import METHODS
from bot.emulator.scopes import BY_CONVERSATION_TYPE, FIXED_SCOPES, MANIFEST, NO_SCOPE
from bot.listeners import register_listeners

REPO = Path(__file__).resolve().parents[1]

# Slack's bot-token scopes (the scopes reference), the ones an app like this could ask for.
KNOWN_BOT_SCOPES = frozenset(
    {
        "app_mentions:read", "channels:history", "channels:join", "channels:manage", "channels:read",
        "chat:write", "chat:write.customize", "chat:write.public", "commands", "files:read",
        "files:write", "groups:history", "groups:read", "groups:write", "im:history", "im:read",
        "im:write", "mpim:history", "mpim:read", "mpim:write", "reactions:read", "reactions:write",
        "team:read", "usergroups:read", "usergroups:write", "users.profile:read", "users:read",
        "users:read.email", "users:write", "metadata.message:read",
    }
)  # fmt: skip
# Slack's bot events (the events reference) and the scope each needs ("" for none).
KNOWN_BOT_EVENTS: dict[str, str] = {
    "app_home_opened": "",
    "app_mention": "app_mentions:read",
    "app_uninstalled": "",
    "tokens_revoked": "",
    "user_change": "users:read",
    "team_join": "users:read",
    "member_joined_channel": "channels:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "message.mpim": "mpim:history",
    "subteam_members_changed": "usergroups:read",
}
# Conversation-typed methods: which kinds of conversation the app calls them on, and why.
CONVERSATION_KINDS: dict[str, dict[str, str]] = {
    "conversations.members": {
        "channels": "summary typed in a public channel",
        "groups": "summary typed in a private channel",
        "mpim": "summary typed in a group DM",
    },
    "conversations.history": {
        "im": "the worker looks for a message it may have posted to a person",
        "mpim": "… and in a pair's group DM",
    },
    "conversations.open": {"im": "a person's DM with the app", "mpim": "a pair's group DM"},
}
# slack_sdk helpers that call several Web API methods.
SDK_HELPERS = {"files_upload_v2": ("files.getUploadURLExternal", "files.completeUploadExternal")}

_URL = {"type": "string", "pattern": r"^https://", "maxLength": 3000}
_TEXT = {"type": "string", "minLength": 1}


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


# Slack's manifest reference, the parts this app uses (unknown keys are refused, as Slack does).
MANIFEST_SCHEMA = _object(
    ["display_information", "features", "oauth_config", "settings"],
    display_information=_object(
        ["name"],
        name={**_TEXT, "maxLength": 35},
        description={**_TEXT, "maxLength": 140},
        long_description={"type": "string", "minLength": 175, "maxLength": 4000},
        background_color={"type": "string", "pattern": r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$"},
    ),
    features=_object(
        ["bot_user", "slash_commands", "app_home"],
        app_home=_object(
            [],
            home_tab_enabled={"type": "boolean"},
            messages_tab_enabled={"type": "boolean"},
            messages_tab_read_only_enabled={"type": "boolean"},
        ),
        bot_user=_object(
            ["display_name"], display_name={**_TEXT, "maxLength": 80}, always_online={"type": "boolean"}
        ),
        slash_commands={
            "type": "array",
            "minItems": 1,
            "maxItems": 50,
            "items": _object(
                ["command", "description"],
                command={"type": "string", "pattern": r"^/[a-z0-9_-]+$", "minLength": 2, "maxLength": 32},
                url=_URL,
                description={**_TEXT, "maxLength": 2000},
                usage_hint={**_TEXT, "maxLength": 1000},
                should_escape={"type": "boolean"},
            ),
        },
    ),
    oauth_config=_object(
        ["scopes"],
        scopes=_object(
            ["bot"],
            bot={"type": "array", "uniqueItems": True, "items": {"enum": sorted(KNOWN_BOT_SCOPES)}},
        ),
    ),
    settings=_object(
        ["event_subscriptions", "interactivity", "socket_mode_enabled"],
        event_subscriptions=_object(
            ["bot_events"],
            request_url={**_URL, "maxLength": 3500},
            bot_events={"type": "array", "uniqueItems": True, "items": {"enum": sorted(KNOWN_BOT_EVENTS)}},
        ),
        interactivity=_object(["is_enabled"], is_enabled={"type": "boolean"}, request_url=_URL),
        org_deploy_enabled={"type": "boolean"},
        socket_mode_enabled={"type": "boolean"},
        token_rotation_enabled={"type": "boolean"},
    ),
)


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    with MANIFEST.open(encoding="utf-8") as file:
        loaded = yaml.safe_load(file)  # Slack refuses a manifest that does not parse
    assert isinstance(loaded, dict)
    return loaded


def test_the_manifest_is_what_slacks_manifest_reference_accepts(manifest: dict[str, Any]) -> None:
    jsonschema.validate(manifest, MANIFEST_SCHEMA)


def test_http_mode_has_every_url_and_they_all_reach_the_front_door(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is False
    urls = [
        *(command["url"] for command in manifest["features"]["slash_commands"]),
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ]
    assert settings["interactivity"]["is_enabled"] is True
    # The README tells people to replace this one address (three places) with theirs.
    assert urls == ["https://peer-mentor.example.com/slack/events"] * 3
    assert (REPO / "README.md").read_text().count("https://peer-mentor.example.com") >= 1


def test_the_slash_command_is_the_one_the_app_answers(manifest: dict[str, Any]) -> None:
    from bot.ids import SLASH_COMMAND

    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == SLASH_COMMAND
    assert command["should_escape"] is True  # `summary @group` arrives as the group's id
    for word in ("join", "status", "rules", "summary", "help"):
        assert word in command["usage_hint"]


def test_the_messages_tab_is_read_only_and_no_message_event_is_subscribed(manifest: dict[str, Any]) -> None:
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"] and home["messages_tab_read_only_enabled"]
    assert not [e for e in manifest["settings"]["event_subscriptions"]["bot_events"] if e.startswith("message")]


class _RecordingApp(App):
    """The real Bolt app, noting the events its listeners are registered for."""

    events: list[str]

    def event(self, event: Any, *args: Any, **kwargs: Any) -> Any:
        self.events.append(str(event))
        return super().event(event, *args, **kwargs)

    def message(self, *args: Any, **kwargs: Any) -> Any:
        self.events.append("message.*")
        return super().message(*args, **kwargs)


def listened_events() -> set[str]:
    app = _RecordingApp(
        token="xoxb-x", signing_secret="s", token_verification_enabled=False, request_verification_enabled=False
    )
    app.events = []
    register_listeners(app)
    return set(app.events)


def test_every_event_listened_to_is_subscribed_and_every_subscription_has_a_listener(
    manifest: dict[str, Any],
) -> None:
    subscribed = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert listened_events() == subscribed


def test_every_subscribed_event_has_its_scope(manifest: dict[str, Any]) -> None:
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    for event in manifest["settings"]["event_subscriptions"]["bot_events"]:
        assert KNOWN_BOT_EVENTS[event] in {"", *scopes}, event


def _is_web_api(name: str) -> bool:
    return not name.startswith("_") and "_" in name and callable(getattr(WebClient, name, None))


def called_methods() -> dict[str, set[str]]:
    """Web API method -> the app modules calling it, read from the code (the emulator and the
    sandbox, which play Slack and a person, are not the app)."""
    found: dict[str, set[str]] = {}
    for path in sorted((REPO / "bot").rglob("*.py")):
        if {"emulator", "sandbox"} & set(path.relative_to(REPO / "bot").parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and _is_web_api(node.attr):
                methods = SDK_HELPERS.get(node.attr, (node.attr.replace("_", "."),))
                for method in methods:
                    found.setdefault(method, set()).add(str(path.relative_to(REPO)))
    return found


def test_the_emulator_implements_every_method_the_app_calls() -> None:
    methods = called_methods()
    assert {"chat.postMessage", "views.open", "conversations.members", "users.info"} <= set(methods)
    assert set(methods) <= set(METHODS), "the app calls methods the emulator does not play"


def test_every_method_called_has_its_scope_and_no_scope_is_unused(manifest: dict[str, Any]) -> None:
    needed = {"commands"}  # the slash command itself
    needed |= {KNOWN_BOT_EVENTS[e] for e in manifest["settings"]["event_subscriptions"]["bot_events"]} - {""}
    for method in called_methods():
        if method in NO_SCOPE:
            continue
        if method in FIXED_SCOPES:
            needed.add(FIXED_SCOPES[method])
            continue
        kinds = CONVERSATION_KINDS[method]  # a conversation-typed method: say which kinds
        suffix = BY_CONVERSATION_TYPE.get(method, "write")
        needed |= {f"{kind}:{suffix}" for kind in kinds}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed
