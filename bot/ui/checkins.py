"""Check-in messages: the question, its answered state, the "gone quiet" offer, welcome back.

Answered states replace the question (`chat.update`), so a check-in can't be answered twice.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import Block, ConfirmObject

from bot.ids import SLASH_COMMAND, CheckinAction
from bot.services.checkins import GENTLE, KEEP_GOING, MET, NOT_YET, PAUSE, REMATCH, SKIP, CheckinView
from bot.ui.feedback import give_feedback_blocks
from bot.ui.kit import Blocks, actions, button, context, escape, mention, section, slack_date, to_dicts

ANSWER_BLOCK = "checkin_answer"
OFFER_BLOCK = "quiet_offer"
PRIVATE = "Only you and your peer take part in this; managers never see answers, just team totals."


def _peers(view: CheckinView, user_id: str) -> str:
    peers = view.peers_of(user_id)
    return " and ".join(mention(p) for p in peers) if peers else "your peer"


def _question(view: CheckinView, user_id: str) -> str:
    since = "since you agreed your ground rules" if view.number == 1 else "since the last check-in"
    return f"Did you and {_peers(view, user_id)} meet {since}?"


def _starter(view: CheckinView) -> list[Block]:
    if not view.starter:
        return []
    return [section(f":speech_balloon: *Something to talk about:* {escape(view.starter)}")]


def checkin_message(view: CheckinView, *, user_id: str, reminder: bool = False) -> tuple[str, Blocks]:
    """The check-in question with its three answers (a reminder offers just two)."""
    question = _question(view, user_id)
    text = f"{'Reminder' if reminder else 'Check-in'}: {question}"
    lead = "A gentle reminder." if reminder else "Check-in time."
    blocks: list[Block] = [section(f":wave: *{lead}* {question}")]
    if view.escalation == GENTLE and not reminder:
        blocks.append(
            section(
                "The last couple of check-ins slipped by, and that's fine: busy weeks happen. "
                "Even fifteen minutes over a coffee or a quick call counts."
            )
        )
    blocks += _starter(view)
    buttons = [button("We met", CheckinAction.MET, value=str(view.checkin_id), style="primary")]
    if not reminder:
        buttons.append(
            button("Not yet — remind me in a few days", CheckinAction.NOT_YET, value=str(view.checkin_id))
        )
    buttons.append(button("Skip this time", CheckinAction.SKIP, value=str(view.checkin_id)))
    blocks.append(actions(*buttons, block_id=ANSWER_BLOCK))
    blocks.append(context(PRIVATE))
    return text, to_dicts(blocks)


def checkin_answered(
    view: CheckinView,
    *,
    user_id: str,
    answer: str,
    reminder_at: datetime | None = None,
    answered_by: str | None = None,
) -> tuple[str, Blocks]:
    """What the check-in message becomes once this person answered (or, with `answered_by`,
    once their peer answered "We met" for the pair)."""
    peers = _peers(view, user_id)
    blocks: list[Block]
    if view.pair_ended:
        text = "This pairing has ended, so this check-in is closed."
        return text, to_dicts([section(text)])
    if answer == MET and answered_by is not None and answered_by != user_id:
        text = f"{mention(answered_by)} answered for you both: you met. Lovely!"
        blocks = [section(f":white_check_mark: *{text}*")]
        blocks += give_feedback_blocks(view.pair_id, view.peers_of(user_id), view.number)
    elif answer == MET:
        text = f"You met {peers}. Lovely!"
        blocks = [section(f":white_check_mark: *{text}*")]
        blocks += give_feedback_blocks(view.pair_id, view.peers_of(user_id), view.number)
    elif answer == NOT_YET:
        if reminder_at is not None:
            text = "No problem. I'll ask again in a few days."
            blocks = [
                section(f":hourglass_flowing_sand: No problem. I'll ask again on {slack_date(reminder_at)}.")
            ]
        else:
            text = "No problem. We'll ask again at the next check-in."
            blocks = [section(f":hourglass_flowing_sand: {text}")]
        blocks.append(context(f"Met after all? Type `{SLASH_COMMAND} checkin` any time."))
    elif answer == SKIP:
        text = "Skipped this time."
        blocks = [
            section(f":fast_forward: *{text}* The next check-in comes around {slack_date(view.next_due_at)}.")
        ]
    else:
        raise ValueError(answer)
    blocks += _starter(view) if answer != SKIP else []
    return text, to_dicts(blocks)


def quiet_offer_message(view: CheckinView, *, user_id: str) -> tuple[str, Blocks]:
    text = f"You and {_peers(view, user_id)} haven't managed to meet for a while. What would you like to do?"
    value = str(view.checkin_id)
    blocks: list[Block] = [
        section(
            f":seedling: You and {_peers(view, user_id)} haven't managed to meet for the last few check-ins. "
            "That's OK: priorities shift and nobody is to blame. What would you like to do?"
        ),
        actions(
            button("Keep going", CheckinAction.KEEP_GOING, value=value, style="primary"),
            button("Pause for 4 weeks", CheckinAction.PAUSE, value=value),
            button(
                "Find me a new peer",
                CheckinAction.REMATCH,
                value=value,
                confirm=ConfirmObject(
                    title="Find a new peer?",
                    text="This pairing ends for both of you, kindly and without blame. "
                    "You'll both be matched again in the next round.",
                    confirm="Find a new peer",
                    deny="Not now",
                ),
            ),
            block_id=OFFER_BLOCK,
        ),
        context("Until someone answers, we won't send more check-ins to this pair."),
    ]
    return text, to_dicts(blocks)


def quiet_offer_answered(
    view: CheckinView, *, user_id: str, decision: str, paused_until: datetime | None = None
) -> tuple[str, Blocks]:
    if decision == KEEP_GOING:
        text = "Great, you're keeping going."
        line = f":muscle: *{text}* The next check-in comes around {slack_date(view.next_due_at)}."
    elif decision == PAUSE:
        until = f"until {slack_date(paused_until)}" if paused_until else "for now"
        text = "You're paused."
        line = (
            f":double_vertical_bar: *You're paused {until}.* No check-ins or nudges meanwhile; "
            "we'll welcome you back when the pause ends."
        )
    elif decision == REMATCH:
        text = "Your pairing has ended."
        line = (
            ":handshake: *Your pairing has ended.* Thank you both for the time you gave it. "
            "You're in the pool for the next matching round."
        )
    else:
        raise ValueError(decision)
    return text, to_dicts([section(line)])


def welcome_back_message(
    *, peer_ids: tuple[str, ...], next_checkin_at: datetime | None
) -> tuple[str, Blocks]:
    text = "Welcome back! Your pause is over."
    lines = [f":arrow_forward: *{text}*"]
    if peer_ids and next_checkin_at is not None:
        peers = " and ".join(mention(p) for p in peer_ids)
        lines.append(
            f"Check-ins with {peers} pick up again; the next one comes around {slack_date(next_checkin_at)}."
        )
    elif peer_ids:
        lines.append(f"Your pairing with {' and '.join(mention(p) for p in peer_ids)} carries on.")
    else:
        lines.append("You're in the next matching round.")
    blocks: list[Block] = [section(" ".join(lines)), context(f"Need more time? `{SLASH_COMMAND} pause`")]
    return text, to_dicts(blocks)


def peer_paused_message(*, paused_id: str, until: datetime | None) -> tuple[str, Blocks]:
    """To the peer of someone who paused: the pairing is on hold, and until when."""
    if until is not None:
        text = f"{mention(paused_id)} has stepped away until {slack_date(until)}."
        more = "Your pairing is on hold meanwhile: no check-ins until then, and they resume on their own."
    else:
        text = f"{mention(paused_id)} has stepped away for a while."
        more = "Your pairing is on hold meanwhile: no check-ins until they're back; we'll tell you when."
    blocks: list[Block] = [section(f":double_vertical_bar: *{text}* {more}")]
    return text, to_dicts(blocks)
