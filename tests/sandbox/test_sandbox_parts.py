"""The sandbox's small parts: its clock, and filling in forms by their labels (what it may import
is an import-linter contract in pyproject.toml)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.models import blocks as sdk_blocks

from bot.sandbox import forms
from bot.sandbox.clock import SandboxClock
from bot.sandbox.people import EMPLOYEES, EVERYONE

BOT = Path(__file__).resolve().parents[2] / "bot"
SANDBOX = BOT / "sandbox"


def test_the_clock_only_moves_forward() -> None:
    start = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    clock = SandboxClock(start)
    assert abs(clock.now() - start) < timedelta(seconds=5)
    clock.advance(timedelta(days=1))
    assert timedelta(days=1) <= clock.now() - start < timedelta(days=1, seconds=5)
    assert clock.advance_to(start) >= start + timedelta(days=1)  # never back
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
    assert abs(clock.timestamp() - clock().timestamp()) < 1


def test_the_demo_people() -> None:
    assert len(EMPLOYEES) == 12 and len({p.user_id for p in EVERYONE}) == len(EVERYONE)
    assert {p.role for p in EVERYONE} == {"employee", "manager", "admin"}
    assert len({p.team for p in EMPLOYEES}) >= 6 and len({p.level for p in EMPLOYEES}) == 4
    assert len({p.tz for p in EVERYONE}) >= 8


def _option(text: str) -> dict:
    return {"text": {"type": "plain_text", "text": text}, "value": text.lower()[:5]}


def _input(block_id: str, label: str, element: dict) -> dict:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


def test_a_person_fills_a_form_by_reading_its_labels() -> None:
    levels = [
        _option("Early career (0–2 years)"),
        _option("Mid-level (3–5 years)"),
        _option("Senior (6–10 years)"),
    ]
    topics = [_option(t) for t in ("Backend development", "System design", "Code review", "Public speaking")]
    view = {
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}},
            _input("share", "What I can share", {"type": "multi_static_select", "action_id": "a", "options": topics, "max_selected_items": 2}),
            _input("other", "Other things I can share", {"type": "plain_text_input", "action_id": "a"}),
            _input("level", "My experience level", {"type": "static_select", "action_id": "a", "options": levels}),
            _input("team", "My team", {"type": "plain_text_input", "action_id": "a", "max_length": 4}),
            _input("promise", "Our commitment", {"type": "checkboxes", "action_id": "a", "options": [_option("Yes")]}),
            _input("unknown", "Favourite colour", {"type": "plain_text_input", "action_id": "a"}),
        ]
    }  # fmt: skip
    answers = forms.profile_answers(view, EMPLOYEES[0])  # Ana: mid-level, Payments
    assert answers == {
        "share": {"a": ["backe", "syste"]},  # her first two: the form takes at most two
        "level": {"a": "mid-l"},
        "team": {"a": "Paym"},  # cut to the field's length, as typing stops there
        "promise": {"a": ["yes"]},
    }


def test_the_admin_names_managers_and_summary_channels() -> None:
    view = {
        "blocks": [
            _input(
                "m", "Managers who may post team summaries", {"type": "multi_users_select", "action_id": "x"}
            ),
            _input(
                "w",
                "Channels with a weekly summary",
                {"type": "multi_conversations_select", "action_id": "x"},
            ),
            _input(
                "mo",
                "Channels with a monthly summary",
                {"type": "multi_conversations_select", "action_id": "x"},
            ),
        ]
    }
    assert forms.settings_answers(view, managers=["U1"], weekly_channels=["C1"]) == {
        "m": {"x": ["U1"]},
        "w": {"x": ["C1"]},
    }


def _supported() -> dict[str, list[str]]:
    source = (SANDBOX / "static" / "blockkit.js").read_text()
    body = source.split("/* SUPPORTED-BEGIN */", 1)[1].split("/* SUPPORTED-END */", 1)[0]
    match = re.search(r"=\s*(\{.*\});", body, re.S)
    assert match
    return json.loads(match.group(1))


def test_the_page_renders_every_block_kit_type_the_apps_builders_use() -> None:
    """Every slack_sdk block or element class and every literal "type" in the app's UI code."""
    supported = _supported()
    kinds = set(supported["blocks"]) | set(supported["elements"])
    known_types = {
        getattr(cls, "type", None)
        for cls in vars(sdk_blocks).values()
        if isinstance(cls, type) and issubclass(cls, (sdk_blocks.Block, sdk_blocks.BlockElement))
    } - {None}
    used: set[str] = set()
    for folder in ("ui", "jobs", "listeners"):
        for path in (BOT / folder).rglob("*.py"):
            source = path.read_text()
            for name in re.findall(r"\b([A-Z]\w+(?:Block|Element))\b", source):
                cls = getattr(sdk_blocks, name, None)
                if cls is not None and getattr(cls, "type", None):
                    used.add(cls.type)
            used |= {t for t in re.findall(r'"type":\s*"(\w+)"', source) if t in known_types}
    assert {"section", "input", "button"} <= used
    assert used <= kinds, f"the page can't render: {sorted(used - kinds)}"
