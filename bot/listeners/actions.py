"""Buttons on the `/peer-mentor` menu, App Home and confirmation messages."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.ids import Action
from bot.listeners.after_ack import after_ack
from bot.listeners.commands import open_profile_modal
from bot.listeners.deps import deps_of, team_of, user_of
from bot.listeners.surfaces import from_home, tell
from bot.services import profiles
from bot.services.leaving import leave_program
from bot.services.status import resume as resume_program
from bot.ui import messages
from bot.ui.help import help_message
from bot.ui.pause_modal import pause_modal


def handle_join_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    ack()
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    after_ack(
        deps,
        body,
        client,
        lambda: open_profile_modal(
            client, deps, team_id, user_id, body["trigger_id"], from_home=from_home(body)
        ),
    )


def handle_pause_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    deps = deps_of(context)
    with deps.session_factory.begin() as session:
        profiles.require_profile(session=session, team_id=team_of(body, context), user_id=user_of(body))
    ack()
    after_ack(
        deps, body, client, lambda: client.views_open(trigger_id=body["trigger_id"], view=pause_modal())
    )


def handle_resume_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: Any
) -> None:
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    with deps.session_factory.begin() as session:
        back = resume_program(session=session, team_id=team_id, user_id=user_id, now=deps.clock())
    ack()
    text = messages.resumed(back)
    after_ack(deps, body, client, lambda: tell(body, client, respond, deps, team_id, user_id, text))


def handle_leave_confirmed(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: Any
) -> None:
    """Both the menu's Leave button (Slack's own confirm dialog) and the typed confirmation."""
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    with deps.session_factory.begin() as session:
        leave_program(session=session, team_id=team_id, user_id=user_id, now=deps.clock())
    ack()
    after_ack(deps, body, client, lambda: tell(body, client, respond, deps, team_id, user_id, messages.LEFT))


def handle_leave_cancelled(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: Any
) -> None:
    ack()
    after_ack(deps_of(context), body, client, lambda: respond(text=messages.STAYED, replace_original=True))


def handle_help_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: Any
) -> None:
    ack()
    text, blocks = help_message()

    def show_help() -> None:
        if body.get("response_url"):
            respond(text=text, blocks=blocks, replace_original=False)
        else:
            client.chat_postMessage(channel=user_of(body), text=text, blocks=blocks)

    after_ack(deps_of(context), body, client, show_help)


def register(app: App) -> None:
    app.action(Action.JOIN)(handle_join_clicked)
    app.action(Action.EDIT_PROFILE)(handle_join_clicked)
    app.action(Action.PAUSE)(handle_pause_clicked)
    app.action(Action.RESUME)(handle_resume_clicked)
    app.action(Action.LEAVE)(handle_leave_confirmed)
    app.action(Action.LEAVE_CONFIRMED)(handle_leave_confirmed)
    app.action(Action.LEAVE_CANCELLED)(handle_leave_cancelled)
    app.action(Action.HELP)(handle_help_clicked)
