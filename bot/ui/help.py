"""The help text: every sub-command with one line each."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.ids import SLASH_COMMAND
from bot.ui.kit import Blocks, context, escape, section, to_dicts

# (usage, what it does). The command router checks that each command it knows is listed here.
COMMANDS: list[tuple[str, str]] = [
    ("", "your status and the main buttons"),
    ("join", "join the program: tell us what you can share and want to grow"),
    ("profile", "edit your profile"),
    ("status", "your status, your peer and what happens next"),
    ("rules", "propose or change the ground rules you agree with your peer"),
    ("checkin", "log a check-in now: did you and your peer meet?"),
    ("feedback", "give feedback to your peer: one thing they did well, one suggestion"),
    ("rematch", "end your pairing without blame and be matched with someone new"),
    ("pause [weeks]", "stop matching and nudges, until you resume or for that many weeks"),
    ("resume", "come back from a pause"),
    ("leave", "leave the program (asks first)"),
    ("export", "get everything the app holds about you, by direct message"),
    ("delete-my-data", "erase everything the app holds about you (asks first)"),
    ("summary [@user-group]", "managers: post your team's opt-in totals in this channel"),
    ("admin", "program admins: the program settings"),
    ("match", "program admins: preview and run a matching round now"),
    ("help", "this list"),
]


def help_message(*, unknown: str | None = None, suggestion: str | None = None) -> tuple[str, Blocks]:
    lines = [f"`{SLASH_COMMAND}{' ' + usage if usage else ''}` — {what}" for usage, what in COMMANDS]
    blocks: list[Block] = []
    text = "Peer Mentor commands"
    if unknown is not None:
        shown = escape(unknown if len(unknown) <= 40 else unknown[:39] + "…")
        hint = f" Did you mean `{SLASH_COMMAND} {suggestion}`?" if suggestion else ""
        text = f"I don't know “{shown}”.{hint}"
        blocks.append(section(text))
    blocks.append(section("*Peer Mentor commands*\n" + "\n".join(lines)))
    blocks.append(
        context("Peer mentoring pairs you with a colleague at about your level: you each teach and learn.")
    )
    return text, to_dicts(blocks)
