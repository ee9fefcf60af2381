"""Every callback, action and block id the app uses, named once.

Slack sends these strings back to us; keeping them here means a typo is a NameError, not a
button that silently does nothing.
"""

from enum import StrEnum

SLASH_COMMAND = "/peer-mentor"


class Callback(StrEnum):
    PROFILE_MODAL = "profile_modal"
    PAUSE_MODAL = "pause_modal"


class Action(StrEnum):
    # Buttons on the /peer-mentor menu and App Home.
    JOIN = "join"
    EDIT_PROFILE = "edit_profile"
    PAUSE = "pause"
    RESUME = "resume"
    LEAVE = "leave"
    HELP = "help"
    # The leave confirmation typed from the command.
    LEAVE_CONFIRMED = "leave_confirmed"
    LEAVE_CANCELLED = "leave_cancelled"
    # Inputs of the profile modal (one per input block; the block id names the field).
    PROFILE_INPUT = "value"
    PAUSE_LENGTH = "pause_length"


class ProfileField(StrEnum):
    """Block ids of the profile modal; they double as the field names in InvalidInput."""

    CAN_SHARE = "can_share"
    CAN_SHARE_OTHER = "can_share_other"
    WANT_TO_GROW = "want_to_grow"
    WANT_TO_GROW_OTHER = "want_to_grow_other"
    CAREER_GOALS = "career_goals"
    EXPERIENCE_LEVEL = "experience_level"
    FUNCTION = "function"
    TEAM_NAME = "team_name"
    BACKGROUND = "background"
    MEETING_WAYS = "meeting_ways"
    FREQUENCY = "frequency"
    FEEDBACK_COMMITMENT = "feedback_commitment"


class Block(StrEnum):
    PAUSE_LENGTH = "pause_length"
