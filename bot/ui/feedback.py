"""Feedback: the nudge and its button, the modal, what the peer receives, the balance nudge."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import Block, InputBlock, SectionBlock
from slack_sdk.models.views import View

from bot.ids import CheckinAction, CheckinCallback, FeedbackField
from bot.services.feedback import (
    EDITED,
    MAX_ASK_NEXT,
    MAX_DID_WELL,
    MAX_SUGGESTION,
    FeedbackAlreadySent,
    FeedbackAnswers,
    FeedbackView,
    GivenFeedback,
    ValidFeedback,
)
from bot.ui.kit import (
    Blocks,
    FormState,
    button,
    context,
    escape,
    mention,
    record_id,
    section,
    slack_date,
    slack_moment,
    text_input,
    to_dicts,
)


@dataclass(frozen=True)
class FeedbackFor:
    """What a "Give feedback" button and the modal's private_metadata carry."""

    pair_id: int
    recipient_id: str
    checkin_number: int | None = None

    def encode(self) -> str:
        return f"{self.pair_id}:{self.recipient_id}:{self.checkin_number or ''}"

    @classmethod
    def decode(cls, value: str) -> FeedbackFor | None:
        parts = (value or "").split(":")
        pair_id = record_id(parts[0]) if len(parts) == 3 else None
        if pair_id is None or not parts[1]:
            return None
        return cls(pair_id, parts[1], record_id(parts[2]))


def give_feedback_blocks(pair_id: int, peer_ids: tuple[str, ...], checkin_number: int | None) -> list[Block]:
    """One "Give feedback" button per peer (two in a trio), each naming who it is for."""
    blocks: list[Block] = []
    for peer in peer_ids:
        target = FeedbackFor(pair_id, peer, checkin_number)
        blocks.append(
            SectionBlock(
                text=f"Tell {mention(peer)} one thing they did well and one suggestion. "
                "It goes to them only.",
                accessory=button(
                    "Give feedback", CheckinAction.GIVE_FEEDBACK, value=target.encode(), style="primary"
                ),
            )
        )
    return blocks


def feedback_nudge_message(
    *, pair_id: int, peer_ids: tuple[str, ...], checkin_number: int | None
) -> tuple[str, Blocks]:
    peers = " and ".join(mention(p) for p in peer_ids) or "your peer"
    text = f"How did it go with {peers}? A minute of feedback helps you both grow."
    blocks: list[Block] = [
        section(
            f":speech_balloon: *How did it go with {peers}?* Peer mentoring works when you both give and "
            "receive feedback. Share one thing they did well and one suggestion, and say what you'd "
            "like feedback on next time."
        ),
        *give_feedback_blocks(pair_id, peer_ids, checkin_number),
    ]
    return text, to_dicts(blocks)


def feedback_modal(target: FeedbackFor, so_far: ValidFeedback | None = None) -> dict[str, Any]:
    """The feedback form; `so_far` fills it with what the author wrote for this check-in
    and can still change before it is delivered."""
    intro = f"Feedback for {mention(target.recipient_id)}. Only they will see it; it reaches them by DM."
    if so_far is not None:
        intro += " You started this earlier: what you send now replaces it, and they get one message."
    blocks: list[Block] = [
        section(intro),
        _input(
            FeedbackField.DID_WELL,
            "One thing my peer did well",
            "e.g. You explained the trade-offs so clearly that I finally got it.",
            MAX_DID_WELL,
            so_far.did_well if so_far else "",
        ),
        _input(
            FeedbackField.SUGGESTION,
            "One suggestion for my peer",
            "e.g. Try sharing the draft earlier, before it feels finished.",
            MAX_SUGGESTION,
            so_far.suggestion if so_far else "",
        ),
        _input(
            FeedbackField.ASK_NEXT,
            "What I'd like feedback on next time",
            "e.g. How I run our planning meetings",
            MAX_ASK_NEXT,
            so_far.ask_next if so_far else "",
            optional=True,
        ),
        context("Be specific and kind. Candid feedback is a gift when it's given with care."),
    ]
    return View(
        type="modal",
        callback_id=CheckinCallback.FEEDBACK_MODAL,
        title="Feedback for your peer",
        submit="Send",
        close="Cancel",
        private_metadata=json.dumps(
            {"pair": target.pair_id, "to": target.recipient_id, "checkin": target.checkin_number}
        ),
        blocks=blocks,
    ).to_dict()


def _input(
    block_id: str, label: str, placeholder: str, max_length: int, value: str, *, optional: bool = False
) -> InputBlock:
    return text_input(
        block_id,
        label,
        value,
        placeholder,
        max_length,
        action_id=CheckinAction.INPUT,
        optional=optional,
        multiline=True,
    )


def read_feedback_target(private_metadata: str) -> FeedbackFor | None:
    try:
        data = json.loads(private_metadata or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("to"), str):
        return None
    pair_id = record_id(data.get("pair"))
    if pair_id is None:
        return None
    return FeedbackFor(pair_id, data["to"], record_id(data.get("checkin")))


def read_feedback_answers(state_values: dict[str, Any]) -> FeedbackAnswers:
    form = FormState(state_values, CheckinAction.INPUT)
    return FeedbackAnswers(
        did_well=form.text(FeedbackField.DID_WELL),
        suggestion=form.text(FeedbackField.SUGGESTION),
        ask_next=form.text(FeedbackField.ASK_NEXT),
    )


def feedback_sent_view(given: GivenFeedback, *, now: datetime) -> dict[str, Any]:
    """What the author sees after Send: when their words go, or that a repeat changed nothing."""
    peer = mention(given.recipient_id)
    when = (
        "now"
        if given.delivery_at <= now
        else f"at the start of their working hours, {slack_date(given.delivery_at)}"
    )
    if given.delivered:
        text = f":incoming_envelope: Thank you! Your feedback has reached {peer}, and nobody else."
    elif given.outcome == EDITED:
        text = (
            f":pencil2: Updated. {peer} gets your new words {when} instead of what you wrote before: "
            "one message, and nobody else sees it."
        )
    else:
        text = f":incoming_envelope: Thank you! Your feedback goes to {peer} {when}, and to nobody else."
    return View(type="modal", title="Feedback sent", close="Done", blocks=[section(text)]).to_dict()


def feedback_already_sent_text(refused: FeedbackAlreadySent) -> str:
    """Why a second feedback for the same check-in goes nowhere, and when there is room again."""
    peer = mention(refused.recipient_id)
    if refused.sent_at is not None:
        gone = f"You already sent {peer} your feedback for this check-in (it reached them {slack_moment(refused.sent_at)})"
    elif refused.on_its_way:
        gone = f"Your feedback for this check-in is on its way to {peer} right now"
    else:
        gone = f"You already gave {peer} feedback for this check-in"
    return f"{gone}, so this one wasn't sent and nothing was changed. You can give more after your next check-in."


def feedback_already_sent_view(refused: FeedbackAlreadySent) -> dict[str, Any]:
    return View(
        type="modal",
        title="Already sent",
        close="Close",
        blocks=[section(feedback_already_sent_text(refused))],
    ).to_dict()


def feedback_received_message(view: FeedbackView) -> tuple[str, Blocks]:
    """The peer's DM: the author's words, escaped, and a way to give feedback back."""
    text = f"{mention(view.author_id)} shared some feedback with you."
    blocks: list[Block] = [
        section(f":gift: *{text}*"),
        section(f"*What you did well*\n{escape(view.did_well)}"),
        section(f"*A suggestion*\n{escape(view.suggestion)}"),
    ]
    if view.ask_next:
        blocks.append(section(f"*They'd like your feedback next time on*\n{escape(view.ask_next)}"))
    back = FeedbackFor(view.pair_id, view.author_id, view.checkin_number)
    blocks.append(
        SectionBlock(
            text="Feedback works best both ways.",
            accessory=button("Give feedback back", CheckinAction.GIVE_FEEDBACK, value=back.encode()),
        )
    )
    blocks.append(context("Only you and the person who wrote it can see this."))
    return text, to_dicts(blocks)


def times(count: int) -> str:
    """A true count in words: "once", "twice", "3 times"."""
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def feedback_balance_message(*, pair_id: int, giver_id: str, given: int = 2) -> tuple[str, Blocks]:
    text = f"{mention(giver_id)} has shared feedback with you {times(given)}. Your view would help them too."
    blocks: list[Block] = [
        section(
            f":seedling: {mention(giver_id)} has shared feedback with you {times(given)}: thank you for making "
            "room for it. Peer mentoring works both ways, so when you're ready, tell them one thing they "
            "did well and one suggestion. A sentence each is plenty."
        ),
        *give_feedback_blocks(pair_id, (giver_id,), None),
    ]
    return text, to_dicts(blocks)


def choose_peer_message(*, pair_id: int, peer_ids: tuple[str, ...]) -> tuple[str, Blocks]:
    """`/peer-mentor feedback` in a trio: who is it for?"""
    text = "Who would you like to give feedback to?"
    return text, to_dicts([section(f"*{text}*"), *give_feedback_blocks(pair_id, peer_ids, None)])
