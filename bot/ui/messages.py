"""Short messages: confirmations by DM and ephemeral replies."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import Block

from bot.ids import SLASH_COMMAND, Action
from bot.services.matching.next_step import NextStep
from bot.services.status import ParticipantStatus, Resumed
from bot.ui.endings import what_happens_next
from bot.ui.kit import Blocks, actions, button, context, mention, section, slack_date, to_dicts


def profile_saved(*, joined: bool, next_round_at: datetime | None = None) -> tuple[str, Blocks]:
    if joined:
        text = "Welcome to peer mentoring! Your profile is saved."
        when = (
            f"at the next matching round, on {slack_date(next_round_at)},"
            if next_round_at is not None
            else "when a program admin next runs a matching round"
        )
        blocks: list[Block] = [
            section(
                f":tada: *{text}*\n"
                f"*What happens next:* {when} you'll be paired with a colleague "
                "at about your level from another team. You'll both get a message introducing you "
                "and saying why you were matched. Then you agree your own ground rules: how often "
                "you meet, how, and what stays between you."
            ),
            context(
                f"Change your answers any time with `{SLASH_COMMAND} profile`; "
                f"take a break with `{SLASH_COMMAND} pause`."
            ),
        ]
    else:
        text = "Your peer-mentoring profile is updated."
        blocks = [section(f":white_check_mark: {text} The next matching round will use it.")]
    return text, to_dicts(blocks)


def paused(status: ParticipantStatus) -> str:
    until = f"until {slack_date(status.paused_until)}" if status.paused_until else "until you resume"
    return (
        f":double_vertical_bar: You're paused {until}. No matching, check-ins or nudges meanwhile. "
        f"Type `{SLASH_COMMAND} resume` to come back sooner."
    )


def resumed(back: Resumed) -> str:
    """Welcome back, and what happens next: the pair's check-ins, or the next round."""
    status = back.status
    if status.peer_ids:
        peers = " and ".join(mention(p) for p in status.peer_ids)
        line = f":arrow_forward: Welcome back! Your check-ins with {peers} start again."
        if status.next_checkin_at is not None:
            line += f" The next one reaches you on {slack_date(status.next_checkin_at)}."
        return line
    step = NextStep(paused=False, paused_until=None, next_round_at=back.next_round_at)
    return f":arrow_forward: Welcome back! {what_happens_next(step)}"


ALREADY_ACTIVE = "You're not paused, so there's nothing to resume."
LEFT = (
    ":wave: You've left peer mentoring and your profile is deleted. Thank you for taking part. "
    f"You can join again any time with `{SLASH_COMMAND} join`."
)
STAYED = "Good to have you: nothing changed."


def confirm_leave() -> tuple[str, Blocks]:
    text = "Leave peer mentoring?"
    blocks = [
        section(
            f"*{text}* Your profile is deleted, you won't be matched or messaged, and if you're "
            "paired your peer is told kindly. You can join again any time."
        ),
        actions(
            button("Yes, leave the program", Action.LEAVE_CONFIRMED, style="danger"),
            button("No, stay", Action.LEAVE_CANCELLED),
        ),
    ]
    return text, to_dicts(blocks)
