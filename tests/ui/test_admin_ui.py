"""The admin, summary and privacy builders: valid Block Kit, the right words, nothing leaked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.emulator.blockkit import problems
from bot.emulator.driver import texts
from bot.emulator.signed_requests import state_values
from bot.ids import AdminId, PrivacyAction, SettingsField
from bot.services.admin_settings import AdminSettings, Change, validate_settings
from bot.services.program_health import ProgramHealth
from bot.services.status import ParticipantStatus
from bot.services.summaries import IN_PAIR, OPTED_IN, PAIRS_MET, PAUSED, Figure, Scope, TeamSummary
from bot.ui import admin, privacy
from bot.ui.status import home_view, status_message
from bot.ui.summaries import managers_can_see, summary_message

WHEN = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
SETTINGS = AdminSettings(
    round_cadence="biweekly",
    next_round_at=datetime(2026, 3, 16, 8, 0, tzinfo=UTC),
    odd_person="trio",
    forbid_same_team=False,
    default_frequency="biweekly",
    work_start_hour=9,
    work_end_hour=17,
    quiet_days=(6, 7),
    privacy_threshold=5,
    manager_ids=("UBOSS",),
    summary_subscriptions=(("C0ALL", "monthly"), ("C0DESIGN", "weekly")),
)
CHANGES = [
    Change("privacy_threshold", "UADMIN", 5, 7, WHEN),
    Change("manager_ids", "deleted", ["deleted"], ["UBOSS"], WHEN),
    Change("summary_subscriptions", "UADMIN", [], [["C0ALL", "monthly"]], WHEN),
    Change("next_round_at", "UADMIN", None, "2026-03-16T08:00:00+00:00", WHEN),
    Change("quiet_days", "UADMIN", [6, 7], [5, 6, 7], WHEN),
]


def test_settings_modal_is_valid_prefilled_and_round_trips():
    view = admin.settings_modal(SETTINGS, CHANGES, tz="Europe/London")
    assert problems("modal", view) == []
    assert view["title"]["text"] == "Program settings" and view["callback_id"] == AdminId.SETTINGS_MODAL
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks[SettingsField.NEXT_ROUND_DATE]["element"]["initial_date"] == "2026-03-16"
    assert blocks[SettingsField.PRIVACY_THRESHOLD]["element"]["min_value"] == "3"
    assert blocks[SettingsField.WEEKLY_CHANNELS]["element"]["initial_conversations"] == ["C0DESIGN"]
    assert "Latest changes" in texts(view) and "someone who deleted their data" in texts(view).lower()

    # Untouched, the form reads back as the settings it showed.
    form = admin.read_settings_form(state_values(view, {}))
    assert validate_settings(form, tz="Europe/London", now=WHEN, current=SETTINGS) == SETTINGS
    # Changed, it reads back the changes.
    answers = {
        SettingsField.PRIVACY_THRESHOLD: {AdminId.INPUT: "8"},
        SettingsField.QUIET_DAYS: {AdminId.INPUT: ["5", "6", "7"]},
        SettingsField.MANAGERS: {AdminId.INPUT: ["UBOSS", "UANNA"]},
        SettingsField.FORBID_SAME_TEAM: {AdminId.INPUT: ["yes"]},
        SettingsField.MONTHLY_CHANNELS: {AdminId.INPUT: []},
    }
    form = admin.read_settings_form(state_values(view, answers))
    assert (form.privacy_threshold, form.quiet_days, form.forbid_same_team) == ("8", ["5", "6", "7"], True)
    assert form.manager_ids == ["UBOSS", "UANNA"] and form.monthly_channels == []


def test_reading_garbage_settings_state_gives_empty_answers():
    form = admin.read_settings_form({SettingsField.ROUND_CADENCE: {AdminId.INPUT: "x"}, "junk": []})
    assert form.round_cadence is None and form.manager_ids == [] and form.privacy_threshold is None


def test_change_descriptions_are_plain_words():
    described = [admin.describe(c) for c in CHANGES]
    assert "<@UADMIN> changed privacy threshold from 5 to 7" in described[0]
    assert described[1].startswith("<!date^") and "Someone who has since deleted their data" in described[1]
    assert "<#C0ALL> monthly" in described[2]
    assert "Fri" in described[4]


def test_long_lists_in_the_audit_stay_short():
    many = [[f"C{i:04d}", "weekly"] for i in range(50)]
    change = Change("summary_subscriptions", "UADMIN", [], many, WHEN)
    described = admin.describe(change)
    assert "and 46 more" in described and len(described) < 300
    view = admin.settings_modal(SETTINGS, [change] * 5, tz="UTC")
    assert problems("modal", view) == []


HEALTH = ProgramHealth(
    participants=120,
    paused=7,
    active_pairs=48,
    checkins_due=40,
    checkins_answered=29,
    round_cadence="biweekly",
    next_round_at=WHEN,
)


@pytest.mark.parametrize("is_admin", [False, True])
def test_home_has_the_privacy_buttons_and_the_admin_section_for_admins(is_admin):
    section = admin.admin_home_blocks(HEALTH, CHANGES[:3]) if is_admin else None
    view = home_view(ParticipantStatus(joined=False), is_admin=is_admin, admin_section=section)
    assert problems("home", view) == []
    ids = [e.get("action_id") for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert PrivacyAction.EXPORT in ids and PrivacyAction.DELETE in ids
    assert (AdminId.OPEN_SETTINGS in ids) is is_admin
    if is_admin:
        words = texts(view)
        assert "120 (7 paused)" in words and "48" in words and "72% of 40 answered" in words


def test_admin_section_without_check_ins_or_rounds():
    quiet = ProgramHealth(0, 0, 0, 0, 0, "off", None)
    words = texts({"blocks": [b.to_dict() for b in admin.admin_home_blocks(quiet, [])]})
    assert "none due yet" in words and "match" in words


def summary(**changes) -> TeamSummary:
    fields = dict(
        snapshot_id=1,
        scope=Scope("channel", "C0TEAM"),
        channel_id="C0TEAM",
        published_at=WHEN,
        threshold=5,
        team_size=40,
        counted_size=40,
        counted_as_of=None,
        too_small=False,
        figures={
            OPTED_IN: Figure("exact", 26, 26, change=3),
            PAUSED: Figure("fewer_than", 0, 4),
            IN_PAIR: Figure("exact", 16, 16, out_of=26),
            PAIRS_MET: Figure("hidden", 0, 40, hidden_because="overlap"),
        },
        previous_at=WHEN,
        previous_counted_size=40,
        action="build_trust",
    )
    fields.update(changes)
    return TeamSummary(**fields)


def test_summary_message_says_the_figures_and_what_it_never_shows():
    text, blocks = summary_message(summary())
    assert problems("message", {"text": text, "blocks": blocks}) == []
    words = texts(blocks)
    assert "<#C0TEAM>" in words and "40 people" in words
    assert "26 of 40 (65%), up 3" in words
    assert "fewer than 5 of 40 (10% or less)" in words
    assert "16 of the 26 who opted in (62%)" in words
    # What is hidden says so in its field, and why in a plain sentence below.
    assert "*Pairs that met in the last 30 days*\nnot shown (see below)" in words
    assert "“Pairs that met in the last 30 days” is not shown: this team shares most of its members" in words
    assert "never names, pairs, ground rules, feedback or notes" in words
    assert "staying out of it" in words


def test_summary_bands_read_as_ranges_and_each_hidden_reason_is_explained_once():
    text, blocks = summary_message(
        summary(
            figures={
                OPTED_IN: Figure("all_but", 36, 40),
                PAUSED: Figure("hidden", 0, 40, hidden_because="overlap"),
                IN_PAIR: Figure("all_but", 36, 40),
                PAIRS_MET: Figure("hidden", 0, 40, hidden_because="small_parent"),
            },
            previous_at=None,
        )
    )
    assert problems("message", {"text": text, "blocks": blocks}) == []
    words = texts(blocks)
    assert words.count("at least 36 of 40 (90% or more)") == 2
    assert "“Paused” is not shown: this team shares most of its members" in words
    assert "“Pairs that met in the last 30 days” is not shown: it is counted within a smaller group" in words
    assert "under 9 is too small to count safely" in words
    assert "Changes are since" not in words


def test_summary_message_for_a_small_team_a_user_group_and_earlier_members():
    text, blocks = summary_message(summary(too_small=True, team_size=6, action="small_team"))
    assert problems("message", {"text": text, "blocks": blocks}) == []
    assert "too small for figures" in texts(blocks) and "9 or more" in texts(blocks)
    text, blocks = summary_message(
        summary(scope=Scope("usergroup", "S0DESIGN"), counted_as_of=WHEN, team_size=41, action="lead_by_example")
    )
    assert problems("message", {"text": text, "blocks": blocks}) == []
    assert "<!subteam^S0DESIGN>" in texts(blocks) and "Counted over the 40 people" in texts(blocks)


def test_status_says_what_managers_can_see():
    _, blocks = status_message(ParticipantStatus(joined=False, privacy_threshold=7))
    assert managers_can_see(7) in texts(blocks) and "fewer than 7" in texts(blocks)


EXPORT = {
    "profile": {
        "can_share": ["<b>Pottery</b>"],
        "want_to_grow": ["Negotiation"],
        "experience_level": "mid",
        "team_name": "Payments & co",
        "background": "x" * 4000,
    },
    "pairs": [{"peers": ["UPEER"]}, {"peers": []}],
    "ground_rules": [{"you_agreed": True}, {"you_agreed": False}],
    "check_ins": {"answers": [{}]},
    "feedback": {"given": [{}], "received": [{}, {}]},
    "program_roles": {"named_as_manager": True, "settings_you_changed": [{}]},
}


def test_export_and_delete_messages_are_valid_and_escaped():
    text, blocks = privacy.export_message(EXPORT)
    assert problems("message", {"text": text, "blocks": blocks}) == []
    words = texts(blocks)
    assert "&lt;b&gt;Pottery&lt;/b&gt;" in words and "<b>" not in words
    assert "1 given, 2 received" in words and "2 versions" in words and "a peer who has since left" in words
    assert '"can_share"' in privacy.export_file(EXPORT)
    empty_text, empty = privacy.export_message({})
    assert problems("message", {"text": empty_text, "blocks": empty}) == []
    text, blocks = privacy.confirm_delete()
    assert problems("message", {"text": text, "blocks": blocks}) == []
