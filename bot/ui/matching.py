"""Matching rounds: the admin's preview and result modals, and each pair's introduction."""

from __future__ import annotations

import json
from datetime import datetime

from slack_sdk.models.blocks import Block, DividerBlock
from slack_sdk.models.views import View

from bot.ids import SLASH_COMMAND, MatchAction, MatchCallback, PairAction
from bot.services.matching.intro import Intro, IntroPerson
from bot.services.matching.rounds import RoundPlan
from bot.ui.kit import (
    Blocks,
    actions,
    button,
    context,
    escape,
    header,
    mention,
    section,
    slack_moment,
    to_dicts,
)

MAX_NAMED_LEFTOVERS = 20


def preparing_modal() -> dict:
    """Shown at once (the trigger lives 3 s) while the preview is worked out."""
    return View(
        type="modal",
        callback_id=MatchCallback.PREVIEW,
        title="Matching round",
        close="Cancel",
        blocks=[section(":hourglass_flowing_sand: Working out the best pairs…")],
    ).to_dict()


def preview_modal(plan: RoundPlan) -> dict:
    """Counts only: the admin sees how the round would go, not who would be paired with whom."""
    blocks: list[Block] = [header("Preview of this matching round")]
    if not plan.pairs:
        blocks.append(section(_nothing_to_match(plan)))
        return View(
            type="modal",
            callback_id=MatchCallback.PREVIEW,
            title="Matching round",
            close="Close",
            blocks=blocks,
        ).to_dict()
    pairs = plan.pair_count - plan.trio_count
    trios = f" and {plan.trio_count} trio{'s' if plan.trio_count != 1 else ''}" if plan.trio_count else ""
    blocks.append(
        section(
            f"*{plan.eligible_count}* people are ready to be matched.\n"
            f"This round makes *{pairs} pair{'s' if pairs != 1 else ''}{trios}*."
        )
    )
    assert plan.average_score is not None and plan.lowest_score is not None
    blocks.append(
        section(
            f"*Match scores:* average {plan.average_score:.1f}, lowest {plan.lowest_score:.1f} points.\n"
            "Points reward a similar level, shared goals, skills each can teach the other and "
            "different teams: two people at the same level from different teams who can each "
            "teach the other score about 20."
        )
    )
    blocks.append(section(_leftovers(plan)))
    blocks.append(
        context(
            "Confirming sends each pair one group DM introducing them and saying why they were matched. "
            "Nobody is ever paired with a past peer."
        )
    )
    return View(
        type="modal",
        callback_id=MatchCallback.PREVIEW,
        title="Matching round",
        submit="Match them",
        close="Cancel",
        private_metadata=json.dumps({"seed": plan.seed}),
        blocks=blocks,
    ).to_dict()


def read_seed(private_metadata: str) -> int | None:
    try:
        seed = json.loads(private_metadata or "{}").get("seed")
    except (ValueError, AttributeError):
        return None
    return seed if isinstance(seed, int) else None


def _made(pairs: int, trios: int) -> str:
    return f"{pairs} pair{'s' if pairs != 1 else ''}" + (
        f" (including {trios} trio{'s' if trios != 1 else ''})" if trios else ""
    )


def already_confirmed_modal(*, confirmed_at: datetime, pairs: int, trios: int) -> dict:
    """A second press of "Match them" on a preview already confirmed."""
    text = (
        f"This round was already confirmed {slack_moment(confirmed_at)}: {_made(pairs, trios)} matched. "
        "Nothing was matched twice."
    )
    return View(
        type="modal",
        callback_id=MatchCallback.RESULT,
        title="Matching round",
        close="Close",
        blocks=[section(text)],
    ).to_dict()


def result_modal(*, pairs: int, trios: int, waitlisted: int) -> dict:
    made = _made(pairs, trios)
    lines = [
        f":white_check_mark: *Done: {made} matched.*",
        "Each pair's introduction is on its way to their group DM.",
    ]
    if waitlisted:
        lines.append(
            f"{waitlisted} {'person is' if waitlisted == 1 else 'people are'} first in line next round and will be told so."
        )
    return View(
        type="modal",
        callback_id=MatchCallback.RESULT,
        title="Matching round",
        close="Close",
        blocks=[section("\n".join(lines))],
    ).to_dict()


def intro_message(intro: Intro) -> tuple[str, Blocks]:
    names = _and([mention(p.user_id) for p in intro.people])
    text = f"Meet your peer mentor: {names}"
    blocks: list[Block] = [
        header("Meet your peer mentor"),
        section(f":wave: {names}, you're paired for peer mentoring: you'll each teach and learn."),
    ]
    blocks += [section(_person(person)) for person in intro.people]
    blocks += [
        # Already mrkdwn with people's words escaped (bot.services.matching.explain).
        section(f"*Why you were matched:* {intro.why}"),
        DividerBlock(),
        section(
            "*What happens next:* agree your ground rules together: how often and how you'll meet, "
            "what stays between you, and any topics that are off limits. Then check-ins follow the "
            "rhythm you agree."
        ),
        actions(
            button(
                "Set our ground rules", PairAction.SET_GROUND_RULES, value=str(intro.pair_id), style="primary"
            )
        ),
        context(
            f"Not a good fit? `{SLASH_COMMAND} rematch` ends the pairing without blame. "
            "Your manager never sees who is paired with whom."
        ),
    ]
    return text, to_dicts(blocks)


def waitlisted_message() -> tuple[str, Blocks]:
    text = "This round had an odd number of people, so you're first in line for the next one."
    return text, to_dicts([section(f":hourglass_flowing_sand: {text} Thank you for your patience.")])


def refused_text() -> str:
    return (
        "Only program admins can run a matching round. Rounds also run on the program's schedule, "
        "so you'll be matched without doing anything."
    )


def _person(person: IntroPerson) -> str:
    return (
        f"*{mention(person.user_id)}* · {escape(person.level)} · {escape(person.function)}, {escape(person.team_name)}\n"
        f"Can share: {escape(', '.join(person.can_share)) or '—'}\n"
        f"Wants to grow: {escape(', '.join(person.want_to_grow)) or '—'}"
    )


def _leftovers(plan: RoundPlan) -> str:
    if not plan.leftovers:
        return "*Left over:* nobody. Everyone gets a peer."
    lines = []
    for left in plan.leftovers[:MAX_NAMED_LEFTOVERS]:
        if left.outcome == "trio" and left.trio_with:
            what = "joins a pair as a trio"
        else:
            what = "is first in line next round"
        why = (
            ""
            if left.reason == "odd_one_out"
            else " (no new peer possible: everyone left was a past peer or in their team)"
        )
        lines.append(f"• {mention(left.user_id)} {what}{why}")
    more = len(plan.leftovers) - MAX_NAMED_LEFTOVERS
    if more > 0:
        lines.append(f"• and {more} more, first in line next round")
    return "*Left over:*\n" + "\n".join(lines)


def _nothing_to_match(plan: RoundPlan) -> str:
    if plan.eligible_count == 0:
        return "Nobody is waiting to be matched: everyone who joined is paired or paused."
    if plan.eligible_count == 1:
        return "Only one person is waiting to be matched. They're first in line when someone else joins."
    return (
        f"{plan.eligible_count} people are waiting, but no new pair is possible: they've been paired before "
        "or can't be paired within the program's rules. They're first in line as new people join."
    )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


KEPT_PAIR = "Good: your pairing goes on as before."


def confirm_rematch(peer_ids: tuple[str, ...]) -> tuple[str, Blocks]:
    peers = _and([mention(p) for p in peer_ids])
    text = "End your pairing and be matched again?"
    blocks = [
        section(
            f"*{text}* Your pairing with {peers} ends without blame: they're told kindly that you asked "
            f"for a new peer, and you're both back in the pool for the next round. You'll never be "
            f"paired with {peers} again."
        ),
        actions(
            button("Yes, end our pairing", MatchAction.REMATCH_CONFIRMED, style="danger"),
            button("No, keep it", MatchAction.REMATCH_CANCELLED),
        ),
    ]
    return text, to_dicts(blocks)


def rematched_text(peer_ids: tuple[str, ...]) -> str:
    if not peer_ids:
        return "That pairing had already ended, so there was nothing more to do."
    return (
        f":leaves: Your pairing with {_and([mention(p) for p in peer_ids])} has ended. "
        "They'll get a kind note. You're back in the pool for the next round."
    )
