"""Every view and message the app builds is valid Block Kit, within Slack's limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.emulator.blockkit import problems
from bot.emulator.signed_requests import state_values
from bot.ids import ProfileField
from bot.models import Profile
from bot.services.status import ParticipantStatus
from bot.ui import messages
from bot.ui.help import help_message
from bot.ui.notice import notice_modal
from bot.ui.pause_modal import pause_modal, read_pause_weeks
from bot.ui.profile_modal import profile_modal, read_profile_answers
from bot.ui.status import home_view, menu_message, status_message

WHEN = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def a_profile(**changes) -> Profile:
    fields = dict(
        team_id="T1",
        user_id="U1",
        can_share=["Public speaking", "Pottery"],
        want_to_grow=["Negotiation"],
        career_goals=["Lead bigger projects"],
        experience_level="mid",
        function="engineering",
        team_name="Payments <core> & co",
        background="Teacher before",
        meeting_ways=["dm", "video"],
        frequency="monthly",
        feedback_commitment=True,
        tz="Asia/Tokyo",
        paused=False,
        paused_until=None,
        joined_at=WHEN,
        updated_at=WHEN,
    )
    fields.update(changes)
    return Profile(**fields)


STATUSES = {
    "not joined": ParticipantStatus(joined=False),
    "joined": ParticipantStatus(joined=True, profile=a_profile()),
    "paused until": ParticipantStatus(joined=True, paused=True, paused_until=WHEN, profile=a_profile()),
    "paused open": ParticipantStatus(joined=True, paused=True, profile=a_profile()),
    "paired": ParticipantStatus(joined=True, profile=a_profile(), peer_ids=["U2"]),
}


@pytest.mark.parametrize("name", STATUSES)
def test_menu_status_and_home_are_valid(name):
    status = STATUSES[name]
    for text, blocks in (menu_message(status), status_message(status)):
        assert text
        assert problems("message", {"text": text, "blocks": blocks}) == []
    for is_admin in (False, True):
        assert problems("home", home_view(status, is_admin=is_admin, notice="Done.")) == []


def test_buttons_follow_the_status():
    def labels(status):
        _, blocks = menu_message(status)
        return [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]

    assert labels(STATUSES["not joined"]) == ["Join the program", "Help"]
    assert labels(STATUSES["joined"]) == ["Edit my profile", "Pause", "Leave the program", "Help"]
    assert "Resume" in labels(STATUSES["paused open"])


def test_people_words_are_escaped():
    _, blocks = status_message(STATUSES["joined"])
    text = str(blocks)
    assert "Payments &lt;core&gt; &amp; co" in text and "<core>" not in text


def test_profile_modal_join_and_edit_are_valid_and_prefilled():
    empty = profile_modal(None)
    assert problems("modal", empty) == []
    assert empty["title"]["text"] == "Join peer mentoring" and empty["submit"]["text"] == "Join"
    edit = profile_modal(a_profile())
    assert problems("modal", edit) == []
    blocks = {b.get("block_id"): b for b in edit["blocks"]}
    assert [o["value"] for o in blocks[ProfileField.CAN_SHARE]["element"]["initial_options"]] == [
        "public_speaking"
    ]
    assert blocks[ProfileField.CAN_SHARE_OTHER]["element"]["initial_value"] == "Pottery"
    assert blocks[ProfileField.FREQUENCY]["element"]["initial_option"]["value"] == "monthly"
    assert blocks[ProfileField.TEAM_NAME]["element"]["initial_value"] == "Payments <core> & co"


def test_profile_modal_round_trips_through_slack_state():
    view = profile_modal(a_profile())
    answers = {
        ProfileField.CAN_SHARE: ["public_speaking"],
        ProfileField.CAN_SHARE_OTHER: "Pottery",
        ProfileField.WANT_TO_GROW: ["negotiation"],
        ProfileField.EXPERIENCE_LEVEL: "mid",
        ProfileField.FUNCTION: "engineering",
        ProfileField.TEAM_NAME: "Payments",
        ProfileField.MEETING_WAYS: ["dm"],
        ProfileField.FREQUENCY: "monthly",
        ProfileField.FEEDBACK_COMMITMENT: ["yes"],
    }
    read = read_profile_answers(state_values(view, {block: {"value": v} for block, v in answers.items()}))
    assert read.can_share == ["public_speaking"] and read.can_share_other == "Pottery"
    assert read.experience_level == "mid" and read.frequency == "monthly"
    # An input the person didn't touch comes back with its pre-filled value, as in Slack.
    assert read.feedback_commitment is True and read.background == "Teacher before"


def test_reading_garbage_state_gives_empty_answers():
    read = read_profile_answers({"can_share": {"value": "nope"}, "frequency": []})
    assert read.can_share == [] and read.frequency is None and read.feedback_commitment is False


def test_pause_modal():
    view = pause_modal()
    assert problems("modal", view) == []
    assert read_pause_weeks(state_values(view, {"pause_length": {"pause_length": "4"}})) == (True, 4)
    assert read_pause_weeks(state_values(view, {"pause_length": {"pause_length": "until_resumed"}})) == (
        True,
        None,
    )
    assert read_pause_weeks({}) == (False, None)


def test_messages_are_valid():
    for joined in (True, False):
        text, blocks = messages.profile_saved(joined=joined)
        assert problems("message", {"text": text, "blocks": blocks}) == []
    text, blocks = messages.confirm_leave()
    assert problems("message", {"text": text, "blocks": blocks}) == []
    text, blocks = help_message(unknown="<script>" * 20, suggestion="join")
    assert problems("message", {"text": text, "blocks": blocks}) == []
    assert "&lt;script&gt;" in text
    assert problems("modal", notice_modal("Peer Mentor", "Something")) == []
