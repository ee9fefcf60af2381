"""Check-ins and feedback in Slack: the answer buttons, the "gone quiet" offer, the feedback
button and modal, and the `checkin` and `feedback` sub-commands.

A check-in's answer replaces its message (`chat.update` for a DM the worker sent, the
response URL for the ephemeral one `checkin` shows), so it can't be answered twice; the
worker's copy of the question is updated too when the person answered somewhere else.
Database work happens before `ack()` (see bot/listeners/ground_rules.py for why); Slack calls
follow it through `after_ack`, so the answer to Slack never waits on them.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.ids import CheckinAction, CheckinCallback
from bot.listeners.after_ack import after_ack
from bot.listeners.commands import CommandCall, route
from bot.listeners.deps import deps_of, team_of, user_of
from bot.services import checkins, outbox
from bot.services import feedback as feedback_service
from bot.services.errors import DomainError, InvalidInput
from bot.services.feedback import FeedbackAlreadySent, ValidFeedback
from bot.ui.checkins import checkin_answered, checkin_message, quiet_offer_answered
from bot.ui.feedback import (
    FeedbackFor,
    choose_peer_message,
    feedback_already_sent_text,
    feedback_already_sent_view,
    feedback_modal,
    feedback_sent_view,
    read_feedback_answers,
    read_feedback_target,
)
from bot.ui.kit import record_id

logger = logging.getLogger(__name__)

OUTDATED = "That button is out of date, so nothing was changed. Type `/peer-mentor checkin` to start again."
ANSWER_OF = {
    CheckinAction.MET: checkins.MET,
    CheckinAction.NOT_YET: checkins.NOT_YET,
    CheckinAction.SKIP: checkins.SKIP,
}
DECISION_OF = {
    CheckinAction.KEEP_GOING: checkins.KEEP_GOING,
    CheckinAction.PAUSE: checkins.PAUSE,
    CheckinAction.REMATCH: checkins.REMATCH,
}


@route("checkin")
def log_checkin(call: CommandCall) -> None:
    """Ask the check-in question now, ephemerally (or show the answer already given)."""
    with call.deps.session_factory.begin() as session:
        view = checkins.current_checkin(
            session=session, team_id=call.team_id, user_id=call.user_id, now=call.deps.clock()
        )
    mine = view.answers.get(call.user_id)
    if mine in (checkins.MET, checkins.SKIP):
        text, blocks = checkin_answered(view, user_id=call.user_id, answer=mine)
    else:
        text, blocks = checkin_message(view, user_id=call.user_id)
    call.ack(text=text, blocks=blocks)


@route("feedback")
def give_feedback(call: CommandCall) -> None:
    """The feedback modal for the one peer (with what was written for this check-in so far),
    a choice of peer in a trio, or why there is nothing more to send."""
    with call.deps.session_factory.begin() as session:
        target = feedback_service.feedback_target(session=session, team_id=call.team_id, user_id=call.user_id)
        to = FeedbackFor(target.pair_id, target.peer_ids[0]) if len(target.peer_ids) == 1 else None
        try:
            so_far = (
                _feedback_so_far(session, call.team_id, call.user_id, to, call.deps.clock()) if to else None
            )
        except FeedbackAlreadySent as refused:
            call.ack(text=feedback_already_sent_text(refused))
            return
    if to is None:
        text, blocks = choose_peer_message(pair_id=target.pair_id, peer_ids=target.peer_ids)
        call.ack(text=text, blocks=blocks)
        return
    call.ack()
    view = feedback_modal(to, so_far)
    after_ack(
        call.deps,
        call.body,
        call.client,
        lambda: call.client.views_open(trigger_id=call.body["trigger_id"], view=view),
    )


def handle_checkin_answered(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: Any
) -> None:
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    action = body["actions"][0]
    value = str(action.get("value") or "")
    checkin_id = record_id(value)
    if checkin_id is None and value != "0":  # "0": the ephemeral question, for the current check-in
        raise DomainError(OUTDATED)
    with deps.session_factory.begin() as session:
        outcome = checkins.record_answer(
            session=session,
            team_id=team_id,
            user_id=user_id,
            answer=ANSWER_OF[action["action_id"]],
            now=deps.clock(),
            checkin_id=checkin_id,
        )
        view = outcome.checkin
        keys = [
            outbox.outbox_key(kind, view.pair_id, str(view.number), user_id)
            for kind in (checkins.CHECKIN, checkins.REMINDER)
        ]
        elsewhere = outbox.sent_messages(session=session, team_id=team_id, keys=keys)
        # The pair's answer shows in each peer's copy of the question too.
        peers_copies = (
            {
                peer: outbox.sent_messages(
                    session=session,
                    team_id=team_id,
                    keys=[
                        outbox.outbox_key(kind, view.pair_id, str(view.number), peer)
                        for kind in (checkins.CHECKIN, checkins.REMINDER)
                    ],
                )
                for peer in view.peers_of(user_id)
                if view.answers.get(peer) not in (checkins.MET, checkins.SKIP)
            }
            if outcome.changed and outcome.answer == checkins.MET
            else {}
        )
    ack()
    text, blocks = checkin_answered(
        view,
        user_id=user_id,
        answer=outcome.answer,
        reminder_at=outcome.reminder_at,
        answered_by=outcome.answered_by,
    )

    def replace_messages() -> None:
        clicked = _replace_clicked(body, client, respond, text, blocks)
        for channel, ts in elsewhere:
            if (channel, ts) != clicked:
                _update(client, channel, ts, text, blocks)
        for peer, copies in peers_copies.items():
            peer_text, peer_blocks = checkin_answered(
                view, user_id=peer, answer=checkins.MET, answered_by=user_id
            )
            for channel, ts in copies:
                _update(client, channel, ts, peer_text, peer_blocks)

    after_ack(deps, body, client, replace_messages)


def handle_quiet_decision(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: Any
) -> None:
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    action = body["actions"][0]
    checkin_id = record_id(str(action.get("value") or ""))
    if checkin_id is None:
        raise DomainError(OUTDATED)
    with deps.session_factory.begin() as session:
        outcome = checkins.decide(
            session=session,
            team_id=team_id,
            checkin_id=checkin_id,
            user_id=user_id,
            decision=DECISION_OF[action["action_id"]],
            now=deps.clock(),
        )
    ack()
    text, blocks = quiet_offer_answered(
        outcome.checkin, user_id=user_id, decision=outcome.decision, paused_until=outcome.paused_until
    )
    after_ack(deps, body, client, lambda: _replace_clicked(body, client, respond, text, blocks))


def handle_give_feedback_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    target = FeedbackFor.decode(str(body["actions"][0].get("value") or ""))
    if target is None:
        raise DomainError(OUTDATED)
    with deps.session_factory.begin() as session:
        pair = feedback_service.feedback_target(
            session=session, team_id=team_id, user_id=user_id, pair_id=target.pair_id
        )
        if target.recipient_id not in pair.peer_ids:
            raise DomainError(OUTDATED)
        try:
            so_far = _feedback_so_far(session, team_id, user_id, target, deps.clock())
        except FeedbackAlreadySent as refused:
            raise DomainError(feedback_already_sent_text(refused)) from None
    ack()
    view = feedback_modal(target, so_far)
    after_ack(deps, body, client, lambda: client.views_open(trigger_id=body["trigger_id"], view=view))


def handle_feedback_submitted(ack: Ack, body: dict[str, Any], context: Any) -> None:
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    view = body["view"]
    target = read_feedback_target(view.get("private_metadata") or "")
    if target is None:
        raise DomainError(OUTDATED)
    try:
        valid = feedback_service.validate_feedback(read_feedback_answers(view["state"]["values"]))
    except InvalidInput as invalid:
        ack(response_action="errors", errors=invalid.field_errors)
        return
    now = deps.clock()
    # Stored (with its delivery planned) before the ack: the modal never closes on lost words.
    try:
        with deps.session_factory.begin() as session:
            given = feedback_service.give_feedback(
                session=session,
                team_id=team_id,
                pair_id=target.pair_id,
                author_id=user_id,
                recipient_id=target.recipient_id,
                feedback=valid,
                now=now,
                checkin_number=target.checkin_number,
            )
    except FeedbackAlreadySent as refused:
        ack(response_action="update", view=feedback_already_sent_view(refused))
        return
    ack(response_action="update", view=feedback_sent_view(given, now=now))


# --- helpers ----------------------------------------------------------------------------


def _feedback_so_far(
    session: Session, team_id: str, user_id: str, target: FeedbackFor, now: datetime
) -> ValidFeedback | None:
    return feedback_service.feedback_so_far(
        session=session,
        team_id=team_id,
        pair_id=target.pair_id,
        author_id=user_id,
        recipient_id=target.recipient_id,
        now=now,
        checkin_number=target.checkin_number,
    )


def _replace_clicked(
    body: dict[str, Any], client: WebClient, respond: Respond, text: str, blocks: list[dict[str, Any]]
) -> tuple[str, str] | None:
    """Replace the clicked message: chat.update for a posted one, the response URL for an
    ephemeral one. Returns the (channel, ts) it updated, if posted."""
    container = body.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if container.get("type") == "message" and not container.get("is_ephemeral") and channel and ts:
        _update(client, channel, ts, text, blocks)
        return channel, ts
    if body.get("response_url"):
        respond(text=text, blocks=blocks, replace_original=True)
    return None


def _update(client: WebClient, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except SlackApiError as error:
        # The answer is saved; a message that can't be edited (deleted, say) keeps its
        # buttons, and a second click changes nothing.
        logger.warning("could not update a check-in message: %s", error.response.get("error"))


def register(app: App) -> None:
    for action_id in ANSWER_OF:
        app.action(action_id)(handle_checkin_answered)
    for action_id in DECISION_OF:
        app.action(action_id)(handle_quiet_decision)
    app.action(CheckinAction.GIVE_FEEDBACK)(handle_give_feedback_clicked)
    app.view(CheckinCallback.FEEDBACK_MODAL)(handle_feedback_submitted)
