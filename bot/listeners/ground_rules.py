"""Ground rules in Slack: `/peer-mentor rules`, the intro's "Set our ground rules" button, the
proposal modal, and Agree / Suggest changes on a proposal.

Proposals, answers and the final confirmation go to the pair's group DM (the conversation
the intro was posted in), so everyone sees the same record. A proposal's message is edited
as people agree, and loses its buttons once it is agreed or replaced, so it can't be
answered twice.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ids import PairAction, RulesAction, RulesCallback
from bot.listeners.after_ack import after_ack
from bot.listeners.commands import CommandCall, route
from bot.listeners.deps import Deps, deps_of, team_of, user_of
from bot.listeners.surfaces import from_home, publish_home, send_dm
from bot.services import ground_rules
from bot.services.errors import DomainError, InvalidInput
from bot.services.ground_rules import Proposal
from bot.ui.ground_rules import (
    agreed_message,
    agreement_reply,
    proposal_message,
    proposal_modal,
    proposal_not_delivered,
    proposal_sent_notice,
    read_modal_metadata,
    read_pair_ref,
    read_proposal_ref,
    read_rules_answers,
)

logger = logging.getLogger(__name__)

# A proposal saved this long ago and never posted was refused by Slack past every retry (the
# retries and their waits end well within it, bot/slack_retries.py): sending it again posts it.
FIRST_POST_SETTLED = timedelta(seconds=30)

OUTDATED = (
    "That button or form is out of date, so nothing was changed. Type `/peer-mentor rules` to start again."
)


@route("rules")
def open_rules(call: CommandCall) -> None:
    with call.deps.session_factory.begin() as session:
        pair_id = ground_rules.current_pair_id(session=session, team_id=call.team_id, user_id=call.user_id)
        view = proposal_modal(
            ground_rules.draft(session=session, team_id=call.team_id, pair_id=pair_id, user_id=call.user_id)
        )
    call.ack()
    after_ack(
        call.deps,
        call.body,
        call.client,
        lambda: call.client.views_open(trigger_id=call.body["trigger_id"], view=view),
    )


# Button listeners do their (quick) database work before ack(): a domain error raised after
# ack() meets a race in slack_bolt 1.30's thread runner that can hold the HTTP answer for the
# full 3-second ack timeout (measured here), which Slack shows the person as a failure. Their
# Slack calls follow the ack through after_ack, so the answer to Slack never waits on them.


def handle_set_ground_rules_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    """The button in the pair's intro message and on App Home; its value is the pair id."""
    pair_id = read_pair_ref(_value(body))
    if pair_id is None:
        raise DomainError(OUTDATED)
    _open_modal(ack, client, deps_of(context), team_of(body, context), user_of(body), body, pair_id)


def handle_suggest_changes_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    ref = read_proposal_ref(_value(body))
    if ref is None:
        raise DomainError(OUTDATED)
    pair_id, version = ref
    _open_modal(ack, client, deps_of(context), team_of(body, context), user_of(body), body, pair_id, version)


def _open_modal(
    ack: Ack,
    client: WebClient,
    deps: Deps,
    team_id: str,
    user_id: str,
    body: dict[str, Any],
    pair_id: int,
    version: int | None = None,
) -> None:
    with deps.session_factory.begin() as session:
        draft = ground_rules.draft(
            session=session, team_id=team_id, pair_id=pair_id, user_id=user_id, version=version
        )
    ack()
    view = proposal_modal(draft)
    after_ack(deps, body, client, lambda: client.views_open(trigger_id=body["trigger_id"], view=view))


def handle_proposal_submitted(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    view = body["view"]
    metadata = read_modal_metadata(view.get("private_metadata") or "")
    if metadata is None:
        raise DomainError(OUTDATED)
    pair_id, based_on = metadata
    try:
        rules = ground_rules.validate_rules(read_rules_answers(view["state"]["values"]))
    except InvalidInput as invalid:
        ack(response_action="errors", errors=invalid.field_errors)
        return
    # Stored before the ack, so the modal never closes on a proposal that was lost. A
    # suggested change is a proposal based on the version it answers.
    with deps.session_factory.begin() as session:
        outcome = ground_rules.propose(
            session=session,
            team_id=team_id,
            pair_id=pair_id,
            user_id=user_id,
            rules=rules,
            based_on=based_on,
            now=deps.clock(),
        )
    ack()
    after_ack(deps, body, client, lambda: _post_proposal(client, deps, team_id, user_id, outcome))


def _post_proposal(
    client: WebClient, deps: Deps, team_id: str, user_id: str, outcome: ground_rules.ProposalOutcome
) -> None:
    proposal = outcome.proposal
    never_posted = proposal.message_ts is None and deps.clock() - proposal.proposed_at >= FIRST_POST_SETTLED
    if not outcome.created and not never_posted:
        send_dm(client, user_id, proposal_sent_notice(proposal, created=False))
        return
    text, blocks = proposal_message(
        proposal,
        in_force_version=outcome.in_force_version,
        replaces=outcome.replaced,
        crossed=outcome.replaced_unseen,
    )
    try:
        posted = client.chat_postMessage(
            channel=_pair_conversation(client, proposal), text=text, blocks=blocks
        )
    except SlackApiError as error:
        # Saved, not delivered: say so, and how to send it (the same proposal again posts it).
        logger.warning("a ground-rules proposal was not posted: %s", error.response.get("error"))
        send_dm(client, user_id, proposal_not_delivered(proposal))
        return
    with deps.session_factory.begin() as session:
        ground_rules.record_message(
            session=session,
            team_id=team_id,
            pair_id=proposal.pair_id,
            version=proposal.version,
            channel=posted["channel"],
            ts=posted["ts"],
        )
    for replaced in outcome.replaced:
        _update_message(client, replaced, *proposal_message(replaced, replaced_by=proposal.version))
    publish_home(client, deps, team_id, user_id)


def handle_agree_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: Any
) -> None:
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    ref = read_proposal_ref(_value(body))
    if ref is None:
        raise DomainError(OUTDATED)
    pair_id, version = ref
    with deps.session_factory.begin() as session:
        outcome = ground_rules.agree(
            session=session,
            team_id=team_id,
            pair_id=pair_id,
            user_id=user_id,
            version=version,
            now=deps.clock(),
        )
        in_force = (
            ground_rules.rules_in_force(session=session, team_id=team_id, pair_id=pair_id)
            if outcome.activated
            else None
        )
    ack()

    def tell_the_pair() -> None:
        proposal = outcome.proposal
        if outcome.newly_agreed:
            _update_message(client, _with_message_of(proposal, body), *proposal_message(proposal))
        if in_force is not None:
            text, blocks = agreed_message(in_force)
            client.chat_postMessage(channel=_pair_conversation(client, proposal), text=text, blocks=blocks)
        reply = agreement_reply(
            version=version,
            newly_agreed=outcome.newly_agreed,
            in_force=outcome.in_force,
            waiting_for=proposal.waiting_for,
        )
        if from_home(body):
            publish_home(client, deps, team_id, user_id, notice=reply)
        elif not outcome.activated and body.get("response_url"):
            respond(text=reply, response_type="ephemeral", replace_original=False)

    after_ack(deps, body, client, tell_the_pair)


# --- helpers ----------------------------------------------------------------------------


def _value(body: dict[str, Any]) -> str | None:
    action = (body.get("actions") or [{}])[0]
    value = action.get("value")
    return value if isinstance(value, str) else None


def _pair_conversation(client: WebClient, proposal: Proposal) -> str:
    """The pair's group DM: where the proposal was posted, else opened (it is the intro's)."""
    if proposal.message_channel:
        return proposal.message_channel
    opened = client.conversations_open(users=",".join(proposal.member_ids))
    return str(opened["channel"]["id"])


def _with_message_of(proposal: Proposal, body: dict[str, Any]) -> Proposal:
    """A proposal whose message was never recorded is edited where it was clicked, if there."""
    container = body.get("container") or {}
    if proposal.message_ts or container.get("type") != "message" or container.get("is_ephemeral"):
        return proposal
    return replace(
        proposal, message_channel=container.get("channel_id"), message_ts=container.get("message_ts")
    )


def _update_message(client: WebClient, proposal: Proposal, text: str, blocks: list[dict[str, Any]]) -> None:
    if not (proposal.message_channel and proposal.message_ts):
        return
    try:
        client.chat_update(channel=proposal.message_channel, ts=proposal.message_ts, text=text, blocks=blocks)
    except SlackApiError as error:
        # The rules are already saved; an old message that can't be edited (deleted, say)
        # only means its buttons stay, and they answer "replaced" politely.
        logger.warning("could not update a ground-rules message: %s", error.response.get("error"))


def register(app: App) -> None:
    app.action(PairAction.SET_GROUND_RULES)(handle_set_ground_rules_clicked)
    app.action(RulesAction.SUGGEST_CHANGES)(handle_suggest_changes_clicked)
    app.action(RulesAction.AGREE)(handle_agree_clicked)
    app.view(RulesCallback.PROPOSAL_MODAL)(handle_proposal_submitted)
