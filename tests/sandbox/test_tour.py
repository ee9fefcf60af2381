"""The tour without a browser: every step works through Slack's protocol, and everything the
app showed on the way is something the page can render."""

from __future__ import annotations

import re
from pathlib import Path

from bot.emulator import problems
from bot.emulator.blockkit import iter_elements
from bot.emulator.driver import texts
from bot.sandbox.people import EVERYONE
from bot.sandbox.runner import Sandbox
from tests.sandbox.tour import play, surfaces

BLOCKKIT_JS = Path(__file__).resolve().parents[2] / "bot" / "sandbox" / "static" / "blockkit.js"


def supported() -> dict[str, list[str]]:
    import json

    source = BLOCKKIT_JS.read_text()
    body = source.split("/* SUPPORTED-BEGIN */", 1)[1].split("/* SUPPORTED-END */", 1)[0]
    return json.loads(re.search(r"=\s*(\{.*\});", body, re.S).group(1))


def test_the_tour_through_slacks_protocol(sandbox: Sandbox) -> None:
    tour = play(sandbox)
    assert tour.missing == [], f"not built yet: {tour.missing}"
    assert tour.summary is not None
    shown = texts(tour.summary)
    for person in EVERYONE:
        for name in person.real_name.split():
            assert name not in shown
    assert not re.search(r"<@[UW]", shown)

    # Every block and element the app showed is one the page renders, and valid for Slack.
    kinds = supported()
    seen_blocks, seen_elements = set(), set()
    for surface, payload in surfaces(sandbox):
        if surface != "stored":  # stored views carry Slack's own keys; they were checked when sent
            assert problems(surface, payload) == [], payload
        for block in payload.get("blocks") or []:
            seen_blocks.add(block["type"])
            for _where, element in iter_elements(block):
                seen_elements.add(element["type"])
            for item in block.get("elements") or []:
                if block["type"] == "context" and item.get("type") == "image":
                    seen_elements.add("image")
    assert {"section", "header", "actions", "input", "context", "divider"} <= seen_blocks
    assert {
        "button",
        "plain_text_input",
        "static_select",
        "multi_static_select",
        "checkboxes",
        "radio_buttons",
    } <= seen_elements
    assert seen_blocks <= set(kinds["blocks"]), seen_blocks - set(kinds["blocks"])
    assert seen_elements <= set(kinds["elements"]), seen_elements - set(kinds["elements"])
