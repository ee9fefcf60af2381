"""The modal behind the Pause button: how long to pause for."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import InputBlock, Option, RadioButtonsElement
from slack_sdk.models.views import View

from bot.ids import Action, Block, Callback
from bot.ui.kit import FormState, section

UNTIL_RESUMED = "until_resumed"
LENGTHS = [
    ("1", "1 week"),
    ("2", "2 weeks"),
    ("4", "4 weeks"),
    ("8", "8 weeks"),
    (UNTIL_RESUMED, "Until I resume"),
]


def pause_modal() -> dict:
    choices = [Option(value=value, label=label) for value, label in LENGTHS]
    return View(
        type="modal",
        callback_id=Callback.PAUSE_MODAL,
        title="Pause peer mentoring",
        submit="Pause",
        close="Cancel",
        blocks=[
            section(
                "While you're paused you won't be matched and won't get check-ins or nudges. "
                "Your profile and your pair stay as they are."
            ),
            InputBlock(
                block_id=Block.PAUSE_LENGTH,
                label="Pause for",
                element=RadioButtonsElement(
                    action_id=Action.PAUSE_LENGTH, options=choices, initial_option=choices[1]
                ),
            ),
        ],
    ).to_dict()


def read_pause_weeks(state_values: dict[str, Any]) -> tuple[bool, int | None]:
    """Returns (valid, weeks); weeks None means until resumed."""
    value = FormState(state_values, Action.PAUSE_LENGTH).one(Block.PAUSE_LENGTH)
    if value == UNTIL_RESUMED:
        return True, None
    if value in {v for v, _ in LENGTHS}:
        return True, int(value)
    return False, None
