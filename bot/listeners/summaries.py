"""`/peer-mentor summary [@user-group]`: a manager posts the team's opt-in totals in the channel.

Who may post is settled before the acknowledgement when it is known without asking Slack (a
refusal is then the ack itself, seen only by the person), else just after it; counting a large channel takes a few Slack calls (conversations.members, 200 a
page) and happens after it. Problems come back to the person only, as an ephemeral message.
"""

from __future__ import annotations

import logging
import re

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import slack_teams
from bot.listeners.admin_check import CHECK_FAILED, admin_after_ack, admin_now
from bot.listeners.after_ack import after_ack
from bot.listeners.commands import CommandCall, route
from bot.listeners.deps import Deps
from bot.services import summaries
from bot.services.errors import DomainError, NotAllowed
from bot.services.summaries import Scope
from bot.ui.summaries import bot_not_in_channel, reading_members, refused_summary_scope, summary_message

logger = logging.getLogger(__name__)

_ESCAPED_GROUP = re.compile(r"^<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>$")
_TYPED_GROUP = re.compile(r"^@?([a-z0-9._-]{1,80})$", re.IGNORECASE)
CANT_READ = ("not_in_channel", "channel_not_found", "is_archived", "method_not_supported_for_channel_type")


@route("summary")
def post_team_summary(call: CommandCall) -> None:
    deps = call.deps
    # Managers are named in the settings; admins come from Slack, asked after the ack when
    # not known already (bot/listeners/admin_check.py).
    known = admin_now(deps, call.team_id, call.user_id)
    ask_slack = False
    try:
        with deps.session_factory.begin() as session:
            summaries.may_post_summary(
                session=session, team_id=call.team_id, user_id=call.user_id, is_admin=bool(known)
            )
    except NotAllowed:
        if known is not None:
            raise
        ask_slack = True
    channel_id = str(call.body.get("channel_id") or "")
    if not call.args.strip() and channel_id[:1] not in ("C", "G"):
        raise DomainError(refused_summary_scope())
    if ask_slack:
        call.ack()
    else:
        call.ack(text=reading_members(call.args))

    def count_and_post() -> None:
        if ask_slack:
            is_admin = admin_after_ack(deps, call.client, call.team_id, call.user_id)
            if is_admin is None:
                raise DomainError(CHECK_FAILED)
            if not is_admin:
                raise NotAllowed(summaries.NOT_A_MANAGER)
        scope = team_scope(call.client, call.team_id, call.args, channel_id)
        members = team_members(call.client, call.team_id, scope)
        post_summary(call.client, deps, call.team_id, scope, members, channel_id)

    after_ack(deps, call.body, call.client, count_and_post)


def team_scope(client: WebClient, team_id: str, args: str, channel_id: str) -> Scope:
    """The channel the command was typed in, or the user group it names."""
    text = args.strip()
    if not text:
        if channel_id[:1] not in ("C", "G"):
            raise DomainError(refused_summary_scope())
        return Scope("channel", channel_id)
    escaped = _ESCAPED_GROUP.match(text)
    if escaped:
        return Scope("usergroup", escaped.group(1))
    typed = _TYPED_GROUP.match(text)
    if typed:
        group_id = slack_teams.find_usergroup(client, typed.group(1), team_id)
        if group_id is not None:
            return Scope("usergroup", group_id)
        raise DomainError(
            f"I couldn't find a user group called @{typed.group(1)}. " + refused_summary_scope()
        )
    raise DomainError(refused_summary_scope())


def team_members(client: WebClient, team_id: str, scope: Scope) -> list[str]:
    try:
        if scope.kind == "channel":
            return slack_teams.channel_members(client, scope.id)
        return slack_teams.usergroup_members(client, scope.id, team_id)
    except SlackApiError as error:
        code = error.response.get("error")
        if code in CANT_READ:
            raise DomainError(bot_not_in_channel()) from None
        if code == "no_such_subteam":
            raise DomainError("That user group doesn't exist any more. " + refused_summary_scope()) from None
        raise


def post_summary(
    client: WebClient, deps: Deps, team_id: str, scope: Scope, members: list[str], channel_id: str
) -> None:
    """Record the summary as published, post it, and note whether Slack took it."""
    with deps.session_factory.begin() as session:
        summary = summaries.publish_summary(
            session=session,
            team_id=team_id,
            scope=scope,
            member_ids=members,
            channel_id=channel_id,
            now=deps.clock(),
        )
    text, blocks = summary_message(summary)
    failure: str | None = None
    try:
        client.chat_postMessage(channel=channel_id, text=text, blocks=blocks)
    except SlackApiError as error:
        failure = str(error.response.get("error"))
    with deps.session_factory.begin() as session:
        summaries.mark_posted(
            session=session, team_id=team_id, snapshot_id=summary.snapshot_id, posted=failure is None
        )
    if failure in CANT_READ:
        raise DomainError(bot_not_in_channel())
    if failure is not None:
        logger.warning("could not post a team summary: %s", failure)
        raise DomainError("Slack didn't take the summary just now, so nothing was posted. Please try again.")


def register(app: App) -> None:
    """The `summary` route registers itself on import; nothing else to add."""
