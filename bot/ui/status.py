"""The personal dashboard: the `/peer-mentor` menu, `status`, and App Home share these blocks."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ConfirmObject, DividerBlock
from slack_sdk.models.views import View

from bot.ids import SLASH_COMMAND, Action, MatchAction
from bot.services import options
from bot.services.status import ParticipantStatus
from bot.ui.feedback import give_feedback_blocks
from bot.ui.ground_rules import pair_rules_blocks
from bot.ui.kit import (
    Blocks,
    actions,
    button,
    context,
    escape,
    header,
    mention,
    section,
    slack_date,
    to_dicts,
)
from bot.ui.privacy import privacy_buttons
from bot.ui.summaries import managers_can_see

INTRO = (
    "Peer mentoring pairs you with a colleague at about your level. You each teach the other "
    "something, agree your own ground rules, and get gentle check-ins to keep it going."
)


def status_line(status: ParticipantStatus) -> str:
    if not status.joined:
        return "You haven't joined the peer-mentoring program yet."
    if status.paused:
        until = f"until {slack_date(status.paused_until)}" if status.paused_until else "until you resume"
        return (
            f":double_vertical_bar: You're in the program, paused {until}. No matching or nudges meanwhile."
        )
    if status.peer_ids:
        peers = ", ".join(mention(p) for p in status.peer_ids)
        return f":handshake: You're in the program, paired with {peers}."
    if status.next_round_at is not None:
        return (
            ":seedling: You're in the program. You'll be paired in the next matching round, "
            f"on {slack_date(status.next_round_at)}."
        )
    return ":seedling: You're in the program. You'll be paired when a program admin next runs a round."


def leave_confirm() -> ConfirmObject:
    return ConfirmObject(
        title="Leave peer mentoring?",
        text=(
            "Your profile is deleted and you won't be matched or messaged. "
            "If you're paired, your peer is told kindly. You can join again any time."
        ),
        confirm="Leave",
        deny="Stay",
        style="danger",
    )


def status_buttons(status: ParticipantStatus) -> list[Block]:
    if not status.joined:
        return [
            actions(button("Join the program", Action.JOIN, style="primary"), button("Help", Action.HELP))
        ]
    pause_or_resume = (
        button("Resume", Action.RESUME, style="primary") if status.paused else button("Pause", Action.PAUSE)
    )
    return [
        actions(
            button("Edit my profile", Action.EDIT_PROFILE),
            pause_or_resume,
            button("Leave the program", Action.LEAVE, style="danger", confirm=leave_confirm()),
            button("Help", Action.HELP),
        )
    ]


def next_checkin_line(status: ParticipantStatus) -> str | None:
    hold = status.pair_on_hold_until
    if hold is not None and not status.paused:
        peers = " and ".join(mention(p) for p in status.peer_ids) or "Your peer"
        if hold.year >= 9999:
            return f":double_vertical_bar: Your pairing is on hold: {peers} stepped away for now. No check-ins until they're back."
        return (
            f":double_vertical_bar: Your pairing is on hold until {slack_date(hold)}: {peers} stepped away. "
            "Check-ins resume then."
        )
    if status.next_checkin_at is None:
        return None
    return f":calendar: Next check-in: {slack_date(status.next_checkin_at)}, in your working hours."


def pair_buttons(status: ParticipantStatus) -> list[Block]:
    """For someone in a pair: feedback for each peer, and a no-fault way out."""
    pair = status.ground_rules
    if pair is None or not status.peer_ids:
        return []
    end = button(
        "End our pairing",
        MatchAction.REMATCH_CONFIRMED,
        confirm=ConfirmObject(
            title="End your pairing?",
            text="It ends without blame: your peer is told kindly, and you're both matched with someone new next round.",
            confirm="End it",
            deny="Keep it",
            style="danger",
        ),
    )
    return [*give_feedback_blocks(pair.pair_id, tuple(status.peer_ids), None), actions(end)]


def profile_summary(status: ParticipantStatus) -> str:
    profile = status.profile
    if profile is None:
        return ""
    level = options.label_of(options.EXPERIENCE_LEVELS, profile.experience_level)
    frequency = options.label_of(options.FREQUENCIES, profile.frequency).lower()
    return (
        f"*I can share:* {escape(', '.join(profile.can_share))}\n"
        f"*I want to grow:* {escape(', '.join(profile.want_to_grow))}\n"
        f"*Level:* {level} · *Team:* {escape(profile.team_name)} · *Meet:* {frequency}"
    )


def menu_message(status: ParticipantStatus) -> tuple[str, Blocks]:
    """The ephemeral reply to a bare `/peer-mentor`."""
    line = status_line(status)
    blocks: list[Block] = [section(line)]
    if not status.joined:
        blocks.append(context(INTRO))
    blocks += status_buttons(status)
    return line, to_dicts(blocks)


def status_message(status: ParticipantStatus) -> tuple[str, Blocks]:
    """`/peer-mentor status`: the menu plus the profile, in more words."""
    line = status_line(status)
    blocks: list[Block] = [section(line)]
    summary = profile_summary(status)
    if summary:
        blocks.append(section(summary))
    else:
        blocks.append(context(INTRO))
    if status.ground_rules is not None:
        blocks += pair_rules_blocks(status.ground_rules)
    if checkin := next_checkin_line(status):
        blocks.append(context(checkin))
    blocks.append(context(managers_can_see(status.privacy_threshold)))
    blocks += status_buttons(status)
    return line, to_dicts(blocks)


def home_view(
    status: ParticipantStatus,
    *,
    is_admin: bool,
    notice: str | None = None,
    admin_section: list[Block] | None = None,
) -> dict:
    """App Home; `notice` says what the person's last click did; `admin_section` is the
    program-health part admins see (bot/ui/admin.py)."""
    blocks: list[Block] = [header("Peer mentoring")]
    if notice:
        blocks.append(context(notice))
    blocks.append(section(status_line(status)))
    summary = profile_summary(status)
    blocks.append(section(summary) if summary else context(INTRO))
    if status.ground_rules is not None:
        blocks += pair_rules_blocks(status.ground_rules)
    if checkin := next_checkin_line(status):
        blocks.append(context(checkin))
    blocks += status_buttons(status)
    blocks += pair_buttons(status)
    blocks.append(DividerBlock())
    blocks.append(
        context(
            f"Type `{SLASH_COMMAND} help` in any channel for every command. "
            "Managers only ever see team totals, never who is paired or what you discuss."
        )
    )
    blocks += privacy_buttons()
    if is_admin:
        blocks += admin_section or [
            DividerBlock(),
            header("Program admin"),
            context("You are a program admin."),
        ]
    return View(type="home", blocks=blocks).to_dict()
