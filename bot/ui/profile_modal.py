"""The join / edit-profile modal, and reading its submitted state back into answers."""

from __future__ import annotations

import json
from functools import cache, partial
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    Option,
    RadioButtonsElement,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.ids import Action, Callback, ProfileField
from bot.models import Profile
from bot.services import options
from bot.services.profiles import ProfileAnswers
from bot.ui.kit import FormState, context, options_of, section, text_input

COMMITMENT = Option(
    value="yes",
    label="I commit to both give and receive candid, kind feedback",
)


OPENED_FROM_HOME = "home"


def profile_modal(profile: Profile | None, *, from_home: bool = False) -> dict:
    """`profile` pre-fills the form when editing; None opens an empty one to join.

    `from_home` is remembered in the view, so that saving refreshes App Home, which is then
    on screen behind the form (opened anywhere else, Home is rebuilt when next opened).
    """
    # Everyone who joins sees the same form; building it is the costliest part of `join`.
    view = json.loads(_empty_profile_modal()) if profile is None else _build_profile_modal(profile)
    if from_home:
        view["private_metadata"] = OPENED_FROM_HOME
    return view


@cache
def _empty_profile_modal() -> str:
    return json.dumps(_build_profile_modal(None))


def _build_profile_modal(profile: Profile | None) -> dict:
    share, share_other = _split_topics(profile.can_share if profile else [])
    grow, grow_other = _split_topics(profile.want_to_grow if profile else [])
    goals = [
        options.value_of_label(options.CAREER_GOALS, g) for g in (profile.career_goals if profile else [])
    ]
    blocks: list[Block] = [
        section(
            "Tell us what you can teach and what you'd like to learn. We pair you with a colleague "
            "at about your level from another team, so you each give and receive."
        ),
        _multi(
            ProfileField.CAN_SHARE,
            "What I can share",
            options.TOPICS,
            share,
            "Skills or topics you could help a peer with",
            optional=True,
        ),
        _text(
            ProfileField.CAN_SHARE_OTHER,
            "Other things I can share",
            share_other,
            "e.g. Kubernetes, running workshops",
            options.MAX_EXTRA_TOPICS_TEXT,
            hint="Anything not in the list, separated by commas.",
        ),
        _multi(
            ProfileField.WANT_TO_GROW,
            "What I want to grow",
            options.TOPICS,
            grow,
            "Skills or topics you'd like to get better at",
            optional=True,
        ),
        _text(
            ProfileField.WANT_TO_GROW_OTHER,
            "Other things I want to grow",
            grow_other,
            "e.g. pricing, speaking at conferences",
            options.MAX_EXTRA_TOPICS_TEXT,
            hint="Anything not in the list, separated by commas.",
        ),
        _multi(
            ProfileField.CAREER_GOALS,
            "My career goals",
            options.CAREER_GOALS,
            [g for g in goals if g],
            "Where you're heading",
            optional=True,
        ),
        _select(
            ProfileField.EXPERIENCE_LEVEL,
            "My experience level",
            options.EXPERIENCE_LEVELS,
            profile.experience_level if profile else None,
        ),
        _select(
            ProfileField.FUNCTION,
            "The kind of work I do",
            options.FUNCTIONS,
            profile.function if profile else None,
        ),
        _text(
            ProfileField.TEAM_NAME,
            "My team",
            profile.team_name if profile else "",
            "e.g. Payments, Brand design",
            options.MAX_TEAM_NAME,
            optional=False,
        ),
        _text(
            ProfileField.BACKGROUND,
            "My background",
            profile.background if profile else "",
            "e.g. Came to engineering from teaching",
            options.MAX_BACKGROUND,
            multiline=True,
            hint="A line on the path that brought you here: it helps pair different perspectives.",
        ),
        InputBlock(
            block_id=ProfileField.MEETING_WAYS,
            label="Ways I like to meet",
            element=CheckboxesElement(
                action_id=Action.PROFILE_INPUT,
                options=options_of(options.MEETING_WAYS),
                initial_options=_initial(options.MEETING_WAYS, profile.meeting_ways if profile else []),
            ),
        ),
        InputBlock(
            block_id=ProfileField.FREQUENCY,
            label="How often I'd like to meet",
            element=RadioButtonsElement(
                action_id=Action.PROFILE_INPUT,
                options=options_of(options.FREQUENCIES),
                initial_option=_initial_one(
                    options.FREQUENCIES, profile.frequency if profile else "biweekly"
                ),
            ),
        ),
        InputBlock(
            block_id=ProfileField.FEEDBACK_COMMITMENT,
            label="Our commitment",
            element=CheckboxesElement(
                action_id=Action.PROFILE_INPUT,
                options=[COMMITMENT],
                initial_options=[COMMITMENT] if profile else None,
            ),
        ),
        context("Your time zone comes from your Slack profile. Managers never see your answers."),
    ]
    return View(
        type="modal",
        callback_id=Callback.PROFILE_MODAL,
        title="Edit your profile" if profile else "Join peer mentoring",
        submit="Save" if profile else "Join",
        close="Cancel",
        blocks=blocks,
    ).to_dict()


def read_profile_answers(state_values: dict[str, Any]) -> ProfileAnswers:
    """Turn Slack's `view.state.values` into answers. Missing or odd shapes read as empty."""
    form = FormState(state_values, Action.PROFILE_INPUT)
    return ProfileAnswers(
        can_share=form.many(ProfileField.CAN_SHARE),
        can_share_other=form.text(ProfileField.CAN_SHARE_OTHER),
        want_to_grow=form.many(ProfileField.WANT_TO_GROW),
        want_to_grow_other=form.text(ProfileField.WANT_TO_GROW_OTHER),
        career_goals=form.many(ProfileField.CAREER_GOALS),
        experience_level=form.one(ProfileField.EXPERIENCE_LEVEL),
        function=form.one(ProfileField.FUNCTION),
        team_name=form.text(ProfileField.TEAM_NAME),
        background=form.text(ProfileField.BACKGROUND),
        meeting_ways=form.many(ProfileField.MEETING_WAYS),
        frequency=form.one(ProfileField.FREQUENCY),
        feedback_commitment=COMMITMENT.value in form.many(ProfileField.FEEDBACK_COMMITMENT),
    )


# --- element helpers --------------------------------------------------------------------


def _split_topics(labels: list[str]) -> tuple[list[str], str]:
    """Built-in topics go back into the select; typed ones back into the free-text box."""
    known = [v for v in (options.value_of_label(options.TOPICS, label) for label in labels) if v]
    other = [label for label in labels if options.value_of_label(options.TOPICS, label) is None]
    return known, ", ".join(other)


def _initial(choices: tuple[options.Choice, ...], values: list[str]) -> list[Option] | None:
    chosen = [o for o in options_of(choices) if o.value in values]
    return chosen or None


def _initial_one(choices: tuple[options.Choice, ...], value: str | None) -> Option | None:
    return next((o for o in options_of(choices) if o.value == value), None)


def _multi(
    block_id: str,
    label: str,
    choices: tuple[options.Choice, ...],
    selected: list[str],
    placeholder: str,
    *,
    optional: bool,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        element=StaticMultiSelectElement(
            action_id=Action.PROFILE_INPUT,
            placeholder=placeholder,
            options=options_of(choices),
            initial_options=_initial(choices, selected),
            max_selected_items=options.MAX_TOPICS,
        ),
    )


def _select(block_id: str, label: str, choices: tuple[options.Choice, ...], value: str | None) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        element=StaticSelectElement(
            action_id=Action.PROFILE_INPUT,
            placeholder="Choose one",
            options=options_of(choices),
            initial_option=_initial_one(choices, value),
        ),
    )


# Every text box of this form answers under the same action id; its block id names the field.
_text = partial(text_input, action_id=Action.PROFILE_INPUT)
