"""Program admin: the settings modal, reading it back, and the admin section of App Home."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ConversationFilter,
    ConversationMultiSelectElement,
    DatePickerElement,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.ids import SLASH_COMMAND, AdminId, SettingsField
from bot.services import options
from bot.services.admin_settings import (
    MAX_PRIVACY_THRESHOLD,
    AdminSettings,
    Change,
    SettingsForm,
)
from bot.services.program import MIN_PRIVACY_THRESHOLD
from bot.services.program_health import ProgramHealth
from bot.ui.kit import (
    Blocks,
    FormState,
    actions,
    button,
    context,
    header,
    mention,
    section,
    slack_date,
    to_dicts,
)

CADENCES = [
    ("off", "Off: I run rounds myself"),
    ("weekly", "Every week"),
    ("biweekly", "Every two weeks"),
    ("monthly", "Every month"),
]
ODD_PERSON = [
    ("trio", "Make a trio with the pair that suits them best"),
    ("waitlist", "Put them first in line for the next round"),
]
FORBID_SAME_TEAM = Option(value="yes", label="Never pair two people from the same team")
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FIELD_NAMES = {
    "round_cadence": "round cadence",
    "next_round_at": "next round",
    "odd_person": "odd person out",
    "forbid_same_team": "same-team pairs",
    "default_frequency": "default check-in frequency",
    "work_start_hour": "working hours start",
    "work_end_hour": "working hours end",
    "quiet_days": "quiet days",
    "privacy_threshold": "privacy threshold",
    "manager_ids": "managers",
    "summary_subscriptions": "summary channels",
}


def settings_modal(
    settings: AdminSettings, changes: list[Change], *, tz: str, private_metadata: str = ""
) -> dict:
    cadence = _options(CADENCES)
    odd = _options(ODD_PERSON)
    frequencies = [Option(value=c.value, label=c.label) for c in options.FREQUENCIES]
    starts = [Option(value=str(h), label=f"{h:02d}:00") for h in range(0, 24)]
    ends = [Option(value=str(h), label=f"{h:02d}:00") for h in range(1, 25)]
    days = [Option(value=str(i), label=name) for i, name in enumerate(DAYS, start=1)]
    weekly = [c for c, cad in settings.summary_subscriptions if cad == "weekly"]
    monthly = [c for c, cad in settings.summary_subscriptions if cad == "monthly"]
    channel_filter = ConversationFilter(include=["public", "private"], exclude_bot_users=True)
    blocks: list[Block] = [
        section(
            "Settings for the whole peer-mentoring program. Every change is recorded with who made "
            "it and when."
        ),
        _input(
            SettingsField.ROUND_CADENCE,
            "Matching rounds",
            StaticSelectElement(
                action_id=AdminId.INPUT,
                options=cadence,
                initial_option=_pick(cadence, settings.round_cadence),
                placeholder="How often",
            ),
        ),
        _input(
            SettingsField.NEXT_ROUND_DATE,
            "Next round",
            DatePickerElement(
                action_id=AdminId.INPUT,
                initial_date=_local_date(settings.next_round_at, tz),
                placeholder="Pick a date",
            ),
            optional=True,
            hint="Rounds run at the start of working hours, in your time zone. Not needed when rounds are off.",
        ),
        _input(
            SettingsField.ODD_PERSON,
            "When one person is left over",
            RadioButtonsElement(
                action_id=AdminId.INPUT, options=odd, initial_option=_pick(odd, settings.odd_person)
            ),
        ),
        _input(
            SettingsField.FORBID_SAME_TEAM,
            "Same-team pairs",
            CheckboxesElement(
                action_id=AdminId.INPUT,
                options=[FORBID_SAME_TEAM],
                initial_options=[FORBID_SAME_TEAM] if settings.forbid_same_team else None,
            ),
            optional=True,
        ),
        _input(
            SettingsField.DEFAULT_FREQUENCY,
            "Default check-in frequency",
            RadioButtonsElement(
                action_id=AdminId.INPUT,
                options=frequencies,
                initial_option=_pick(frequencies, settings.default_frequency),
            ),
            hint="Pairs choose their own in their ground rules; this is the starting suggestion.",
        ),
        _input(
            SettingsField.WORK_START,
            "Working hours start",
            StaticSelectElement(
                action_id=AdminId.INPUT,
                options=starts,
                initial_option=_pick(starts, str(settings.work_start_hour)),
                placeholder="From",
            ),
            hint="In each person's own time zone: nobody is prompted outside these hours.",
        ),
        _input(
            SettingsField.WORK_END,
            "Working hours end",
            StaticSelectElement(
                action_id=AdminId.INPUT,
                options=ends,
                initial_option=_pick(ends, str(settings.work_end_hour)),
                placeholder="Until",
            ),
        ),
        _input(
            SettingsField.QUIET_DAYS,
            "Quiet days (no prompts)",
            CheckboxesElement(
                action_id=AdminId.INPUT,
                options=days,
                initial_options=[d for d in days if int(d.value) in settings.quiet_days] or None,
            ),
            optional=True,
        ),
        _input(
            SettingsField.PRIVACY_THRESHOLD,
            "Privacy threshold",
            NumberInputElement(
                action_id=AdminId.INPUT,
                is_decimal_allowed=False,
                initial_value=str(settings.privacy_threshold),
                min_value=str(MIN_PRIVACY_THRESHOLD),
                max_value=str(MAX_PRIVACY_THRESHOLD),
            ),
            hint=(
                f"Team summaries show any count under this as “fewer than …”. It can't go below "
                f"{MIN_PRIVACY_THRESHOLD}."
            ),
        ),
        _input(
            SettingsField.MANAGERS,
            "Managers who may post team summaries",
            UserMultiSelectElement(
                action_id=AdminId.INPUT,
                initial_users=list(settings.manager_ids) or None,
                placeholder="Choose people",
            ),
            optional=True,
        ),
        _input(
            SettingsField.WEEKLY_CHANNELS,
            "Channels with a weekly summary",
            ConversationMultiSelectElement(
                action_id=AdminId.INPUT,
                initial_conversations=weekly or None,
                filter=channel_filter,
                placeholder="Choose channels",
            ),
            optional=True,
        ),
        _input(
            SettingsField.MONTHLY_CHANNELS,
            "Channels with a monthly summary",
            ConversationMultiSelectElement(
                action_id=AdminId.INPUT,
                initial_conversations=monthly or None,
                filter=channel_filter,
                placeholder="Choose channels",
            ),
            optional=True,
            hint="The channel's members are the team. Invite Peer Mentor to the channel so it can post.",
        ),
    ]
    if changes:
        blocks += [DividerBlock(), section("*Latest changes*\n" + "\n".join(describe(c) for c in changes))]
    return View(
        type="modal",
        callback_id=AdminId.SETTINGS_MODAL,
        title="Program settings",
        submit="Save",
        close="Cancel",
        blocks=blocks,
        private_metadata=private_metadata,
    ).to_dict()


def read_settings_form(state_values: dict[str, Any]) -> SettingsForm:
    """Turn Slack's `view.state.values` into the form's answers. Odd shapes read as empty."""
    form = FormState(state_values, AdminId.INPUT)
    return SettingsForm(
        round_cadence=form.one(SettingsField.ROUND_CADENCE),
        next_round_date=form.string(SettingsField.NEXT_ROUND_DATE, "selected_date"),
        odd_person=form.one(SettingsField.ODD_PERSON),
        forbid_same_team=FORBID_SAME_TEAM.value in form.many(SettingsField.FORBID_SAME_TEAM),
        default_frequency=form.one(SettingsField.DEFAULT_FREQUENCY),
        work_start=form.one(SettingsField.WORK_START),
        work_end=form.one(SettingsField.WORK_END),
        quiet_days=form.many(SettingsField.QUIET_DAYS),
        privacy_threshold=form.string(SettingsField.PRIVACY_THRESHOLD, "value"),
        manager_ids=form.ids(SettingsField.MANAGERS, "selected_users"),
        weekly_channels=form.ids(SettingsField.WEEKLY_CHANNELS, "selected_conversations"),
        monthly_channels=form.ids(SettingsField.MONTHLY_CHANNELS, "selected_conversations"),
    )


def admin_home_blocks(health: ProgramHealth, changes: list[Change]) -> list[Block]:
    """The admin section of App Home: program health, a button to the settings, latest changes."""
    rate = health.checkin_rate
    checkins = (
        f"{round(100 * rate)}% of {health.checkins_due} answered" if rate is not None else "none due yet"
    )
    if health.next_round_at is not None:
        next_round = slack_date(health.next_round_at)
    elif health.round_cadence == "off":
        next_round = f"when an admin runs `{SLASH_COMMAND} match`"
    else:
        next_round = "no date set"
    fields = [
        f"*Participants*\n{health.participants} ({health.paused} paused)",
        f"*Active pairs*\n{health.active_pairs}",
        f"*Check-ins, last 30 days*\n{checkins}",
        f"*Next round*\n{next_round}",
    ]
    blocks: list[Block] = [
        DividerBlock(),
        header("Program admin"),
        SectionBlock(fields=[MarkdownTextObject(text=f) for f in fields]),
        actions(button("Program settings", AdminId.OPEN_SETTINGS, style="primary")),
    ]
    if changes:
        blocks.append(context("*Latest changes:* " + " · ".join(describe(c) for c in changes)))
    return blocks


def describe(change: Change) -> str:
    who = (
        "Someone who has since deleted their data"
        if change.actor_id == "deleted"
        else mention(change.actor_id)
    )
    name = FIELD_NAMES.get(change.field, change.field.replace("_", " "))
    return (
        f"{slack_date(change.changed_at)}: {who} changed {name} from {_value(change.field, change.old)} "
        f"to {_value(change.field, change.new)}"
    )


def settings_saved(changes: list[Change]) -> str:
    if not changes:
        return "Nothing changed in the program settings."
    names = ", ".join(FIELD_NAMES.get(c.field, c.field) for c in changes)
    return f":white_check_mark: Program settings saved ({names}). The change is in the audit log."


def not_an_admin_notice(message: str) -> Blocks:
    return to_dicts([section(message)])


# --- helpers -------------------------------------------------------------------------------


def _value(field: str, value: Any) -> str:
    if value is None or value == []:
        return "none"
    if field == "next_round_at" and isinstance(value, str):
        return slack_date(datetime.fromisoformat(value))
    if field == "quiet_days" and isinstance(value, list):
        return ", ".join(DAYS[d - 1][:3] for d in value if isinstance(d, int) and 1 <= d <= 7)
    if field in ("work_start_hour", "work_end_hour") and isinstance(value, int):
        return f"{value:02d}:00"
    if field == "manager_ids" and isinstance(value, list):
        return _few(["someone who deleted their data" if v == "deleted" else mention(v) for v in value])
    if field == "summary_subscriptions" and isinstance(value, list):
        return _few([f"<#{c}> {cad}" for c, cad in (tuple(v) for v in value)])
    if field == "forbid_same_team":
        return "not allowed" if value else "allowed"
    if field == "round_cadence":
        return dict(CADENCES).get(str(value), str(value)).split(":")[0].lower()
    if field == "odd_person":
        return "trio" if value == "trio" else "first in line"
    if field == "default_frequency":
        return options.label_of(options.FREQUENCIES, str(value)).lower()
    return str(value)


def _few(items: list[str], shown: int = 4) -> str:
    """A list that stays short however long it gets (a section holds 3000 characters)."""
    if len(items) <= shown + 1:
        return ", ".join(items)
    return ", ".join(items[:shown]) + f" and {len(items) - shown} more"


def _options(pairs: list[tuple[str, str]]) -> list[Option]:
    return [Option(value=value, label=label) for value, label in pairs]


def _pick(choices: list[Option], value: str | None) -> Option | None:
    return next((o for o in choices if o.value == value), None)


def _local_date(when: datetime | None, tz: str) -> str | None:
    if when is None:
        return None
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return when.astimezone(zone).date().isoformat()


def _input(
    block_id: str, label: str, element: Any, *, optional: bool = False, hint: str | None = None
) -> InputBlock:
    return InputBlock(block_id=block_id, label=label, element=element, optional=optional, hint=hint)
