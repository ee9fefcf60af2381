"""Data rights: `export`, `delete-my-data` (and their App Home buttons), and uninstalling.

`app_uninstalled` and `tokens_revoked` (for the bot token) erase the workspace's data: the
app can no longer act there, and keeping people's words would serve nobody. The app holds
no per-workspace tokens of its own (the bot token comes from the environment), so data is
all there is to delete.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.db import forget_erased
from bot.ids import PrivacyAction
from bot.listeners.after_ack import after_ack
from bot.listeners.commands import CommandCall, route
from bot.listeners.deps import Deps, deps_of, team_of, user_of
from bot.listeners.surfaces import from_home, publish_home, send_dm
from bot.services import privacy
from bot.services.matching.next_step import after_pair_ended
from bot.ui.endings import pair_ended_message
from bot.ui.privacy import (
    DELETED,
    EXPORT_FILENAME,
    EXPORT_ON_ITS_WAY,
    KEPT,
    NOTHING_TO_DELETE,
    confirm_delete,
    export_file,
    export_message,
)

logger = logging.getLogger(__name__)


@route("export")
def export_my_data(call: CommandCall) -> None:
    call.ack(text=EXPORT_ON_ITS_WAY)
    after_ack(
        call.deps,
        call.body,
        call.client,
        lambda: send_export(call.client, call.deps, call.team_id, call.user_id),
    )


@route("delete-my-data")
def ask_to_delete(call: CommandCall) -> None:
    text, blocks = confirm_delete()
    call.ack(text=text, blocks=blocks)


def send_export(client: WebClient, deps: Deps, team_id: str, user_id: str) -> None:
    """The readable summary and the complete JSON file, in the person's DM with the app."""
    with deps.session_factory.begin() as session:
        data = privacy.export_my_data(session=session, team_id=team_id, user_id=user_id, now=deps.clock())
    text, blocks = export_message(data)
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    client.files_upload_v2(
        channel=channel,
        filename=EXPORT_FILENAME,
        title="Everything Peer Mentor holds about you",
        content=export_file(data),
    )


def handle_export_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    ack()
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)

    def export() -> None:
        send_export(client, deps, team_id, user_id)
        if from_home(body):
            publish_home(client, deps, team_id, user_id, notice=EXPORT_ON_ITS_WAY)

    after_ack(deps, body, client, export)


def handle_delete_confirmed(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: Any
) -> None:
    """The typed command's "Yes, delete everything", and App Home's button (Slack asked first)."""
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    with deps.session_factory.begin() as session:
        erasure = privacy.delete_my_data(session=session, team_id=team_id, user_id=user_id, now=deps.clock())
        steps = {
            peer: after_pair_ended(session=session, team_id=team_id, user_id=peer, now=deps.clock())
            for peer in erasure.peers_to_tell
        }
    forget_erased(deps.session_factory.kw["bind"])  # before "deleted" is said: nothing left in the -wal
    ack()
    message = DELETED if erasure.had_data else NOTHING_TO_DELETE

    def confirm_and_tell_peers() -> None:
        if from_home(body):
            publish_home(client, deps, team_id, user_id, notice=message)
        elif body.get("response_url"):
            respond(text=message, replace_original=True)
        else:
            send_dm(client, user_id, message)
        for peer in erasure.peers_to_tell:
            text, blocks = pair_ended_message(reason="deleted", ender_id=None, peer_ids=(), step=steps[peer])
            try:
                send_dm(client, peer, text, blocks)
            except SlackApiError as error:
                logger.warning("could not tell a peer their pairing ended: %s", error.response.get("error"))

    after_ack(deps, body, client, confirm_and_tell_peers)


def handle_delete_cancelled(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: Any
) -> None:
    ack()
    after_ack(deps_of(context), body, client, lambda: respond(text=KEPT, replace_original=True))


def handle_app_uninstalled(body: dict[str, Any], client: WebClient, context: Any) -> None:
    deps, team_id = deps_of(context), team_of(body, context)
    # A big workspace takes a moment to erase: answer Slack first (a retry would erase nothing new).
    after_ack(deps, body, client, lambda: erase_workspace(deps, team_id, "app_uninstalled"))


def handle_tokens_revoked(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: Any
) -> None:
    # Only the bot token matters: a person revoking a user token they gave leaves the app working.
    if (event.get("tokens") or {}).get("bot"):
        deps, team_id = deps_of(context), team_of(body, context)
        after_ack(deps, body, client, lambda: erase_workspace(deps, team_id, "tokens_revoked"))


def erase_workspace(deps: Deps, team_id: str, why: str) -> None:
    with deps.session_factory.begin() as session:
        existed = privacy.erase_workspace(session=session, team_id=team_id)
    forget_erased(deps.session_factory.kw["bind"])
    logger.info("%s: erased workspace %s (%s)", why, team_id, "had data" if existed else "nothing stored")


def register(app: App) -> None:
    app.action(PrivacyAction.EXPORT)(handle_export_clicked)
    app.action(PrivacyAction.DELETE)(handle_delete_confirmed)
    app.action(PrivacyAction.DELETE_CONFIRMED)(handle_delete_confirmed)
    app.action(PrivacyAction.DELETE_CANCELLED)(handle_delete_cancelled)
    app.event("app_uninstalled")(handle_app_uninstalled)
    app.event("tokens_revoked")(handle_tokens_revoked)
