"""Filling in a modal the way a demo person would: read each question's label, answer it
from what that person would say, leave the rest as the form set it.

Answers come back as `{block_id: {action_id: answer}}` for signed_requests.state_values:
text for text inputs, an option value for selects and radio buttons, a list of option values
for multi-selects and checkboxes, user or channel ids for those pickers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from bot.emulator.blockkit import element_options

from .people import Person

Answer = Any
Rule = Callable[[str, dict[str, Any]], Answer]  # (label, element) -> answer, or None to skip

_TEXT = ("plain_text_input", "email_text_input", "url_text_input", "number_input")
_ONE = ("static_select", "radio_buttons", "external_select")
_MANY = ("multi_static_select", "checkboxes", "multi_external_select")


def fill(view: dict[str, Any], rules: Iterable[tuple[tuple[str, ...], Rule]]) -> dict[str, Any]:
    """Answer each input whose label contains one of a rule's words (first rule wins)."""
    rules = list(rules)
    answers: dict[str, Any] = {}
    for block in view.get("blocks") or []:
        element = block.get("element") if block.get("type") == "input" else None
        if not isinstance(element, dict) or not element.get("action_id"):
            continue
        label = _text(block.get("label")).casefold()
        for words, rule in rules:
            if any(word in label for word in words):
                answer = rule(label, element)
                if answer is not None:
                    answers.setdefault(block["block_id"], {})[element["action_id"]] = answer
                break
    return answers


def profile_answers(view: dict[str, Any], person: Person) -> dict[str, Any]:
    """The join / profile form, as `person` fills it in."""
    rules: list[tuple[tuple[str, ...], Rule]] = [
        (("other",), lambda _l, _e: None),  # the free-text "other topics" boxes stay empty
        (("can share", "i can teach"), _choose(person.can_share)),
        (("want to grow", "want to learn"), _choose(person.want_to_grow)),
        (("goal",), _choose(person.goals)),
        (("experience", "level"), _choose((person.level,))),
        (("kind of work", "function", "role"), _choose((person.function,))),
        (("team",), _write(person.team)),
        (("background",), _write(person.background)),
        (("ways", "how i like to meet"), _choose(person.meeting_ways)),
        (("often", "frequency"), _choose((person.frequency,))),
        (("commit",), _tick_all),
    ]
    return fill(view, rules)


def settings_answers(
    view: dict[str, Any], *, managers: list[str], weekly_channels: list[str]
) -> dict[str, Any]:
    """The admin's settings form: name the managers and a channel for weekly summaries; keep
    every other setting as it is."""
    rules: list[tuple[tuple[str, ...], Rule]] = [
        (("manager",), _pick_ids(("multi_users_select", "users_select"), managers)),
        (
            ("weekly summary", "weekly summaries"),
            _pick_ids(("multi_conversations_select", "multi_channels_select"), weekly_channels),
        ),
    ]
    return fill(view, rules)


# ---------------------------------------------------------------- answering one question


def _text(obj: Any) -> str:
    return str(obj.get("text") or "") if isinstance(obj, dict) else str(obj or "")


def option_value(element: dict[str, Any], label: str) -> str | None:
    """The value of the option whose label is (or starts with) `label`, ignoring case."""
    wanted = label.casefold()
    options = element_options(element)
    for match in (lambda t: t == wanted, lambda t: t.startswith(wanted)):
        for option in options:
            if match(_text(option.get("text")).casefold()):
                return str(option.get("value"))
    return None


def _choose(labels: tuple[str, ...]) -> Rule:
    def answer(_label: str, element: dict[str, Any]) -> Answer:
        kind = element.get("type")
        values = [v for v in (option_value(element, lab) for lab in labels) if v is not None]
        if kind in _MANY:
            limit = element.get("max_selected_items")
            return values[: int(limit)] if isinstance(limit, int) else values
        if kind in _ONE:
            return values[0] if values else None
        if kind in _TEXT:
            return ", ".join(labels)
        return None

    return answer


def _write(text: str) -> Rule:
    def answer(_label: str, element: dict[str, Any]) -> Answer:
        if element.get("type") not in _TEXT:
            return None
        limit = element.get("max_length")
        return text[: int(limit)] if isinstance(limit, int) else text

    return answer


def _tick_all(_label: str, element: dict[str, Any]) -> Answer:
    if element.get("type") != "checkboxes":
        return None
    return [str(o.get("value")) for o in element_options(element)]


def _pick_ids(kinds: tuple[str, ...], ids: list[str]) -> Rule:
    def answer(_label: str, element: dict[str, Any]) -> Answer:
        kind = str(element.get("type"))
        if kind not in kinds:
            return None
        return list(ids) if kind.startswith("multi_") else (ids[0] if ids else None)

    return answer
