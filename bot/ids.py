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


class PairAction(StrEnum):
    """Buttons in a pair's group DM; each carries the pair id as its value."""

    SET_GROUND_RULES = "set_ground_rules"


class RulesCallback(StrEnum):
    PROPOSAL_MODAL = "rules_proposal_modal"


class RulesAction(StrEnum):
    """Buttons on a ground-rules proposal; each carries "<pair id>:<version>" as its value."""

    AGREE = "rules_agree"
    SUGGEST_CHANGES = "rules_suggest_changes"
    # The one action id of every input in the proposal modal (the block id names the field).
    INPUT = "value"


class RulesField(StrEnum):
    """Block ids of the proposal modal; they double as the field names in InvalidInput."""

    FREQUENCY = "rules_frequency"
    MEETING_WAYS = "rules_meeting_ways"
    CONFIDENTIAL = "rules_confidential"
    CONFIDENTIALITY_EXCEPTIONS = "rules_confidentiality_exceptions"
    OFF_LIMITS = "rules_off_limits"
    MY_GOAL = "rules_my_goal"
    FEEDBACK_COMMITMENT = "rules_feedback_commitment"
    RESPECT_COMMITMENT = "rules_respect_commitment"


class CheckinCallback(StrEnum):
    FEEDBACK_MODAL = "feedback_modal"


class CheckinAction(StrEnum):
    """Buttons in check-in, feedback and "gone quiet" messages.

    Check-in and offer buttons carry the check-in id as their value; "Give feedback" carries
    "<pair id>:<recipient user id>".
    """

    MET = "checkin_met"
    NOT_YET = "checkin_not_yet"
    SKIP = "checkin_skip"
    GIVE_FEEDBACK = "give_feedback"
    KEEP_GOING = "quiet_keep_going"
    PAUSE = "quiet_pause"
    REMATCH = "quiet_rematch"
    # The one action id of every input in the feedback modal (the block id names the field).
    INPUT = "value"


class FeedbackField(StrEnum):
    """Block ids of the feedback modal; they double as the field names in InvalidInput."""

    DID_WELL = "feedback_did_well"
    SUGGESTION = "feedback_suggestion"
    ASK_NEXT = "feedback_ask_next"


class AdminId(StrEnum):
    """Program admin: the settings modal and the App Home button that opens it."""

    SETTINGS_MODAL = "admin_settings_modal"
    OPEN_SETTINGS = "admin_open_settings"
    # The one action id of every input in the settings modal (the block id names the field).
    INPUT = "setting"


class SettingsField(StrEnum):
    """Block ids of the settings modal; they double as the field names in InvalidInput."""

    ROUND_CADENCE = "settings_round_cadence"
    NEXT_ROUND_DATE = "settings_next_round_date"
    ODD_PERSON = "settings_odd_person"
    FORBID_SAME_TEAM = "settings_forbid_same_team"
    DEFAULT_FREQUENCY = "settings_default_frequency"
    WORK_START = "settings_work_start"
    WORK_END = "settings_work_end"
    QUIET_DAYS = "settings_quiet_days"
    PRIVACY_THRESHOLD = "settings_privacy_threshold"
    MANAGERS = "settings_managers"
    WEEKLY_CHANNELS = "settings_weekly_channels"
    MONTHLY_CHANNELS = "settings_monthly_channels"


class PrivacyAction(StrEnum):
    """Self-service data rights: buttons on App Home and the delete confirmation."""

    EXPORT = "privacy_export"
    DELETE = "privacy_delete"
    DELETE_CONFIRMED = "privacy_delete_confirmed"
    DELETE_CANCELLED = "privacy_delete_cancelled"


class MatchCallback(StrEnum):
    PREVIEW = "match_preview"
    RESULT = "match_result"


class MatchAction(StrEnum):
    REMATCH_CONFIRMED = "rematch_confirmed"
    REMATCH_CANCELLED = "rematch_cancelled"
