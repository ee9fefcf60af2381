"""Small constructors shared by the builders, on top of slack_sdk's validated models."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)

from bot.services.options import Choice

Blocks = list[dict[str, Any]]


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=text, emoji=True))


def section(text: str, *, block_id: str | None = None) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text), block_id=block_id)


def context(*texts: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=t) for t in texts])


def button(
    text: str,
    action_id: str,
    *,
    value: str | None = None,
    style: str | None = None,
    confirm: ConfirmObject | None = None,
) -> ButtonElement:
    return ButtonElement(text=text, action_id=action_id, value=value, style=style, confirm=confirm)


def actions(*elements: ButtonElement, block_id: str | None = None) -> ActionsBlock:
    return ActionsBlock(elements=list(elements), block_id=block_id)


def options_of(choices: Iterable[Choice]) -> list[Option]:
    return [Option(value=c.value, label=c.label) for c in choices]


def to_dicts(blocks: Sequence[Block]) -> Blocks:
    """Serialise (and so validate) blocks; slack_sdk raises on what it knows to be invalid."""
    return [block.to_dict() for block in blocks]


def slack_date(when: datetime, fallback_format: str = "%d %b %Y") -> str:
    """A date Slack renders in the reader's own time zone, with a UTC fallback for old clients."""
    return f"<!date^{int(when.timestamp())}^{{date_long}}|{when.strftime(fallback_format)}>"


def slack_moment(when: datetime) -> str:
    """A day and time ("today at 10:02 AM", "Tuesday, March 3rd at …") in the reader's own time
    zone, with a UTC fallback for old clients."""
    return f"<!date^{int(when.timestamp())}^{{date_long_pretty}} at {{time}}|{when.strftime('%d %b %Y %H:%M UTC')}>"


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def escape(text: str) -> str:
    """Slack's mrkdwn treats &, < and > as control characters; people's words must not."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_input(
    block_id: str,
    label: str,
    value: str,
    placeholder: str,
    max_length: int,
    *,
    action_id: str,
    optional: bool = True,
    multiline: bool = False,
    hint: str | None = None,
) -> InputBlock:
    """A labelled text box; `value` pre-fills it (an empty one is left out, as Slack requires)."""
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=action_id,
            placeholder=placeholder,
            initial_value=value or None,
            max_length=max_length,
            multiline=multiline,
        ),
    )


# Database ids are 32-bit integers on PostgreSQL (and SQLite refuses anything past 64 bits).
MAX_RECORD_ID = 2**31 - 1


def record_id(value: object) -> int | None:
    """A row id carried by a button value or private_metadata, or None when it can't be one.

    Only ASCII digits count (`"²".isdigit()` is true, `int("²")` fails), and only ids a
    database column can hold (a 24-digit id overflows SQLite's integers).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit() and len(value) <= 10):
            return None
        value = int(value)
    return value if isinstance(value, int) and 0 < value <= MAX_RECORD_ID else None


# Control characters (C0, DEL, C1) except tab and newline, and lone surrogates (valid in JSON
# as "\ud800", but not encodable for the database). PostgreSQL refuses NUL in text and SQLite
# keeps it; removing them here makes every form behave the same on both.
_UNSTORABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def storable(text: str) -> str:
    """Text as typed, minus what no person means to type and no database should keep."""
    return _UNSTORABLE.sub("", text)


class FormState:
    """A submitted view's `state.values`, read defensively: a missing or odd shape reads as empty.

    Every form here gives each input block one element, under the same action id. Strings
    come back without control characters (see `storable`), whatever the database.
    """

    def __init__(self, state_values: dict[str, Any], action_id: str) -> None:
        self._values = state_values
        self._action_id = action_id

    def _element(self, block: str) -> dict[str, Any]:
        inputs = self._values.get(block)
        element = inputs.get(self._action_id) if isinstance(inputs, dict) else None
        return element if isinstance(element, dict) else {}

    def string(self, block: str, key: str) -> str | None:
        """The element's `key` (`value`, `selected_date`, …) when it is a string."""
        value = self._element(block).get(key)
        return storable(value) if isinstance(value, str) else None

    def text(self, block: str) -> str:
        """What was typed in a text input ("" when nothing was)."""
        return self.string(block, "value") or ""

    def one(self, block: str) -> str | None:
        """The value of a single select's chosen option."""
        chosen = self._element(block).get("selected_option")
        value = chosen.get("value") if isinstance(chosen, dict) else None
        return storable(value) if isinstance(value, str) else None

    def many(self, block: str) -> list[str]:
        """The values of a multi-select's or checkboxes' chosen options."""
        chosen = self._element(block).get("selected_options")
        if not isinstance(chosen, list):
            return []
        return [
            storable(o["value"]) for o in chosen if isinstance(o, dict) and isinstance(o.get("value"), str)
        ]

    def ids(self, block: str, key: str) -> list[str]:
        """The ids a users or conversations select chose (`selected_users`, …)."""
        chosen = self._element(block).get(key)
        return [storable(c) for c in chosen if isinstance(c, str)] if isinstance(chosen, list) else []
