"""The kind words to the others in a pair when it ends: each ending says its own true reason
(without blame) and what happens next for the reader, with a date when there is one."""

from __future__ import annotations

from bot.ids import SLASH_COMMAND
from bot.services.matching.next_step import NextStep
from bot.ui.kit import Blocks, context, mention, section, slack_date, to_dicts

TITLE = "Your peer-mentoring pairing has ended."


def what_happens_next(step: NextStep) -> str:
    """One sentence: matched when, or why not yet."""
    if step.paused and step.paused_until is not None:
        return (
            f"You're paused until {slack_date(step.paused_until)}; after that you'll be in the "
            "next matching round."
        )
    if step.paused:
        return f"You're paused, so you won't be matched until you resume (`{SLASH_COMMAND} resume`)."
    if step.next_round_at is not None:
        return f"You're back in the pool: the next matching round is on {slack_date(step.next_round_at)}."
    return "You're back in the pool and will be matched when a program admin next runs a round."


def _why(reason: str, ender: str | None, peers: str) -> str:
    who = mention(ender) if ender else "Your peer"
    if reason == "rematch":
        return f"{who} asked for a new peer, so your pairing with {peers} has ended."
    if reason == "quiet":
        return f"After a few quiet weeks, {who} chose to find a new peer, so your pairing with {peers} has ended."
    if reason == "left":
        return f"{who} has left the peer-mentoring program, so your pairing with {peers} has ended."
    if reason == "gone":
        return f"We can no longer reach {who} on Slack, so your pairing has ended."
    # Deleted their data: they are not named again.
    return "Your peer has stepped away from peer mentoring, so your pairing has ended."


def pair_ended_message(
    *, reason: str, ender_id: str | None, peer_ids: tuple[str, ...], step: NextStep
) -> tuple[str, Blocks]:
    """`reason` is the pair's end reason (rematch, quiet, left, deleted) or "gone" (deactivated)."""
    peers = " and ".join(mention(p) for p in peer_ids) or "your peer"
    ender = ender_id if ender_id in peer_ids else None
    lines = [
        f":handshake: {_why(reason, ender, peers)} It's nothing you did, and thank you for the time you gave it.",
        what_happens_next(step),
    ]
    return TITLE, to_dicts([section(" ".join(lines)), context(f"Your status: `{SLASH_COMMAND} status`")])
