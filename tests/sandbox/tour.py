"""The README's tour, played through the sandbox's Slack side without a browser, so that
everything the app shows along the way (modals, Home, messages, replies) can be checked.

Each step is what a person does: a command, a click on a button they read, a form filled in
by reading its labels. Steps whose feature the app doesn't have yet are recorded as missing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.emulator.blockkit import iter_elements
from bot.emulator.driver import texts
from bot.sandbox import forms
from bot.sandbox.people import ADMIN, EMPLOYEES, GENERAL, MANAGER, TEAM_CHANNEL, TEAM_ID
from bot.sandbox.runner import Sandbox

ANA = EMPLOYEES[0].user_id


@dataclass
class Tour:
    sandbox: Sandbox
    missing: list[str] = field(default_factory=list)
    peer: str | None = None
    summary: dict[str, Any] | None = None


def wait(condition: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the app")


def button(source: dict[str, Any], label: str) -> tuple[str, str]:
    """(block_id, action_id) of the button a person reads as `label`."""
    for block in source.get("blocks") or []:
        for _where, element in iter_elements(block):
            if element.get("type") == "button" and element["text"]["text"] == label:
                return block["block_id"], element["action_id"]
    raise AssertionError(f"no button {label!r} in {texts(source)[:300]}")


def top_modal(sandbox: Sandbox, user: str, title: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        stack = sandbox.fake.open_modal_stack(TEAM_ID, user)
        return stack[-1] if stack and stack[-1]["title"]["text"] == title else None

    return dict(wait(found))


def message_in(sandbox: Sandbox, user: str, channel: str, containing: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        for conv in sandbox.fake.conversations_for(TEAM_ID, user):
            if conv["id"] == channel:
                hits = [m for m in conv["messages"] if containing in texts(m)]
                return hits[-1] if hits else None
        return None

    return dict(wait(found))


def click(sandbox: Sandbox, user: str, channel: str, message: dict[str, Any], label: str) -> None:
    block_id, action_id = button(message, label)
    where = {"kind": "message", "channel": channel, "ts": message["ts"]}
    delivery = sandbox.slack.click(user, block_id=block_id, action_id=action_id, where=where)
    assert delivery.status == 200, delivery.report()


def command(sandbox: Sandbox, user: str, channel: str, text: str) -> dict[str, Any]:
    delivery = sandbox.slack.command(user, channel, text)
    assert delivery.status == 200, delivery.report()
    return delivery.body


def not_built(reply: dict[str, Any], word: str) -> bool:
    return f"`{word}`" in texts(reply) and "help" in texts(reply).lower()


def play(sandbox: Sandbox) -> Tour:
    tour = Tour(sandbox)
    slack, fake = sandbox.slack, sandbox.fake
    assert sandbox.fill_demo_people()["problems"] == {}
    for user in (ANA, ADMIN.user_id, MANAGER.user_id):
        slack.open_home(user)
        command(sandbox, user, GENERAL, "")
        command(sandbox, user, GENERAL, "status")
    command(sandbox, ANA, GENERAL, "help")

    admin_dm = fake.open_app_dm(TEAM_ID, ADMIN.user_id)
    if not_built(command(sandbox, ADMIN.user_id, admin_dm, "match"), "match"):
        tour.missing.append("match")
        return tour
    preview = top_modal(sandbox, ADMIN.user_id, "Matching round")
    wait(lambda: "Preview" in texts(fake.open_modal_stack(TEAM_ID, ADMIN.user_id)[-1]))
    preview = fake.open_modal_stack(TEAM_ID, ADMIN.user_id)[-1]
    assert slack.submit(ADMIN.user_id, preview["id"], {}).status == 200
    result = wait(
        lambda: next((v for v in fake.open_modal_stack(TEAM_ID, ADMIN.user_id) if "Done" in texts(v)), None)
    )
    slack.close(ADMIN.user_id, result["id"])
    wait(lambda: sandbox.tick() or [c for c in fake.conversations_for(TEAM_ID, ANA) if c["kind"] == "mpim"])
    [pair_dm] = [c for c in fake.conversations_for(TEAM_ID, ANA) if c["kind"] == "mpim"]
    [tour.peer] = [m for m in pair_dm["members"] if m != ANA]

    intro = message_in(sandbox, ANA, pair_dm["id"], "ground rules")
    click(sandbox, ANA, pair_dm["id"], intro, "Set our ground rules")
    rules = top_modal(sandbox, ANA, "Our ground rules")
    answers = forms.fill(
        rules,
        [
            (("how often",), lambda _l, e: forms.option_value(e, "Every week")),
            (("how we meet",), lambda _l, e: [forms.option_value(e, "Video call")]),
            (
                ("confidential",),
                lambda _l, e: [o["value"] for o in e["options"]] if e["type"] == "checkboxes" else None,
            ),
            (("off-limits",), lambda _l, _e: "Pay"),
            (("what i want",), lambda _l, _e: "Present with confidence"),
            (("feedback", "respect"), lambda _l, e: [o["value"] for o in e["options"]]),
        ],
    )
    done = slack.submit(ANA, rules["id"], answers)
    assert done.status == 200 and "errors" not in done.body, done.body
    proposal = message_in(sandbox, tour.peer, pair_dm["id"], "proposes ground rules")
    click(sandbox, tour.peer, pair_dm["id"], proposal, "Agree")
    message_in(sandbox, ANA, pair_dm["id"], "agreed your ground rules")

    sandbox.advance(timedelta(weeks=1))
    ana_dm = fake.open_app_dm(TEAM_ID, ANA)
    checkin = message_in(sandbox, ANA, ana_dm, "We met")
    click(sandbox, ANA, ana_dm, checkin, "We met")
    answered = wait(
        lambda: next(
            (m for m in fake.messages(ana_dm) if m["ts"] == checkin["ts"] and "You met" in texts(m)), None
        )
    )
    click(sandbox, ANA, ana_dm, answered, "Give feedback")
    feedback = top_modal(sandbox, ANA, "Feedback for your peer")
    words = forms.fill(
        feedback,
        [
            (("well",), lambda _l, _e: "Clear explanations"),
            (("suggestion",), lambda _l, _e: "Share drafts earlier"),
        ],
    )
    done = slack.submit(ANA, feedback["id"], words)
    assert done.status == 200 and done.body.get("response_action") == "update", done.body
    slack.close(ANA, fake.open_modal_stack(TEAM_ID, ANA)[-1]["id"])
    sandbox.advance(timedelta(hours=1))

    reply = command(sandbox, MANAGER.user_id, TEAM_CHANNEL, "summary")
    if not_built(reply, "summary"):
        tour.missing.append("summary")
        return tour
    tour.summary = message_in(sandbox, MANAGER.user_id, TEAM_CHANNEL, "Peer mentoring in")
    for user in (ANA, tour.peer, ADMIN.user_id):
        slack.open_home(user)
    command(sandbox, ADMIN.user_id, admin_dm, "admin")
    settings = top_modal(sandbox, ADMIN.user_id, "Program settings")
    slack.close(ADMIN.user_id, settings["id"])
    return tour


def surfaces(sandbox: Sandbox) -> list[tuple[str, dict[str, Any]]]:
    """Everything the app showed: ("modal"|"home", view as the app sent it) and ("message",
    {text, blocks}); views Slack stored (with its ids) are ("stored", view)."""
    found: list[tuple[str, dict[str, Any]]] = []
    for call in sandbox.fake.calls:
        if not call.ok:
            continue
        if call.method in ("views.open", "views.push", "views.update", "views.publish"):
            view = call.args["view"]
            found.append(("home" if view["type"] == "home" else "modal", view))
        elif call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            found.append(
                ("message", {"text": call.args.get("text", ""), "blocks": call.args.get("blocks") or []})
            )
    for view in sandbox.fake.views.values():  # as they are now, including updates from acks
        found.append(("stored", view))
    for user in {p["id"] for p in sandbox.fake.people(TEAM_ID)}:
        for reply in sandbox.fake.ephemeral_for(TEAM_ID, user):
            found.append(("message", reply))
    return found
