"""Data rights in words: the export message, the delete confirmation, and what follows."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import Block, ConfirmObject

from bot.ids import SLASH_COMMAND, PrivacyAction
from bot.services import options
from bot.ui.kit import Blocks, actions, button, context, escape, mention, section, to_dicts

EXPORT_FILENAME = "peer-mentor-my-data.json"
MAX_SHOWN = 2800  # a section's text holds 3000 characters
MAX_PROFILE_SHOWN = 600  # before escaping, which can make it up to four times longer


def export_file(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False)


def export_message(data: dict[str, Any]) -> tuple[str, Blocks]:
    """The readable part of an export; the attached JSON file is the complete one."""
    text = "Here is everything Peer Mentor holds about you."
    profile = data.get("profile")
    pairs = data.get("pairs") or []
    rules = data.get("ground_rules") or []
    checkins = (data.get("check_ins") or {}).get("answers") or []
    feedback = data.get("feedback") or {}
    given, received = feedback.get("given") or [], feedback.get("received") or []
    roles = data.get("program_roles") or {}
    lines = []
    if profile:
        level = options.label_of(options.EXPERIENCE_LEVELS, profile["experience_level"])
        described = (
            f"can share {', '.join(profile['can_share']) or '—'}; wants to grow "
            f"{', '.join(profile['want_to_grow']) or '—'}; {level}; team {profile['team_name']}"
            + (f"; background: {profile['background']}" if profile["background"] else "")
        )
        lines.append("*Your profile:* " + escape(_shorten(described, MAX_PROFILE_SHOWN)))
    else:
        lines.append("*Your profile:* none (you haven't joined, or you left).")
    if pairs:
        peers = ", ".join(
            " and ".join(mention(u) for u in p["peers"]) or "a peer who has since left" for p in pairs
        )
        lines.append(f"*Pairings:* {len(pairs)} ({peers})")
    else:
        lines.append("*Pairings:* none")
    agreed = [r for r in rules if r.get("you_agreed")]
    lines.append(
        f"*Ground rules:* {len(rules)} version{'' if len(rules) == 1 else 's'} in your pairings, {len(agreed)} of them agreed by you"
    )
    lines.append(f"*Check-in answers:* {len(checkins)}")
    lines.append(f"*Feedback:* {len(given)} given, {len(received)} received")
    if roles.get("named_as_manager"):
        lines.append("*Program role:* named as a manager who may post team summaries")
    if roles.get("settings_you_changed"):
        lines.append(f"*Program settings you changed:* {len(roles['settings_you_changed'])}")
    body = _shorten("\n".join(lines), MAX_SHOWN)
    blocks: list[Block] = [
        section(f":package: *{text}*"),
        section(body),
        context(
            "The attached file has all of it, word for word. Managers never see any of this: team "
            f"summaries are counts only. To erase it, type `{SLASH_COMMAND} delete-my-data`."
        ),
    ]
    return text, to_dicts(blocks)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


EXPORT_ON_ITS_WAY = "I'm sending you everything I hold about you, in a direct message."


def confirm_delete() -> tuple[str, Blocks]:
    text = "Delete all your peer-mentoring data?"
    blocks = [
        section(
            f"*{text}* Your profile, your pairings, the ground rules of your pairings, your "
            "check-in answers, the feedback you gave and received, and any messages waiting for "
            "you are erased for good. If you're paired, the pairing ends and your peer is told "
            "kindly. Only a one-way code stays, so you're never paired with a past peer again."
        ),
        context(f"Want a copy first? `{SLASH_COMMAND} export` sends you everything."),
        actions(
            button("Yes, delete everything", PrivacyAction.DELETE_CONFIRMED, style="danger"),
            button("No, keep it", PrivacyAction.DELETE_CANCELLED),
        ),
    ]
    return text, to_dicts(blocks)


DELETED = (
    ":wastebasket: Done: everything Peer Mentor held about you is erased. Thank you for taking "
    f"part. You can join again any time with `{SLASH_COMMAND} join`."
)
NOTHING_TO_DELETE = "Peer Mentor held nothing about you, so there was nothing to erase."
KEPT = "Nothing was deleted."


def privacy_buttons() -> list[Block]:
    return [
        context("Your data, your call: get a copy of everything, or erase it."),
        actions(
            button("Export my data", PrivacyAction.EXPORT),
            button("Delete my data", PrivacyAction.DELETE, style="danger", confirm=_delete_dialog()),
        ),
    ]


def _delete_dialog() -> ConfirmObject:
    return ConfirmObject(
        title="Delete all your data?",
        text=(
            "Your profile, pairings, ground rules, check-ins and feedback are erased for good. "
            "If you're paired, your peer is told kindly."
        ),
        confirm="Delete",
        deny="Keep it",
        style="danger",
    )
