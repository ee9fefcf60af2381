"""`/peer-mentor [sub-command]`: one router, one small handler per sub-command."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.ids import SLASH_COMMAND
from bot.listeners.after_ack import after_ack
from bot.listeners.deps import Deps, deps_of, team_of, user_of
from bot.services import profiles
from bot.services.status import participant_status
from bot.services.status import resume as resume_program
from bot.ui import messages
from bot.ui.help import help_message
from bot.ui.profile_modal import profile_modal
from bot.ui.status import menu_message, status_message


@dataclass(frozen=True)
class CommandCall:
    ack: Ack
    body: dict[str, Any]
    client: WebClient
    respond: Respond
    deps: Deps
    team_id: str
    user_id: str
    args: str


Handler = Callable[[CommandCall], None]
ROUTES: dict[str, Handler] = {}
ALIASES = {"": "menu", "opt-in": "join", "edit": "profile", "unpause": "resume", "quit": "leave", "?": "help"}


def route(*words: str) -> Callable[[Handler], Handler]:
    def register_route(handler: Handler) -> Handler:
        for word in words:
            ROUTES[word] = handler
        return handler

    return register_route


def handle_peer_mentor_command(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: Any
) -> None:
    word, _, rest = (body.get("text") or "").strip().partition(" ")
    word = word.lower()
    word = ALIASES.get(word, word)
    call = CommandCall(
        ack, body, client, respond, deps_of(context), team_of(body, context), user_of(body), rest.strip()
    )
    handler = ROUTES.get(word)
    if handler is None:
        suggestion = difflib.get_close_matches(word, [w for w in ROUTES if w != "menu"], n=1, cutoff=0.5)
        text, blocks = help_message(unknown=word, suggestion=suggestion[0] if suggestion else None)
        ack(text=text, blocks=blocks)
        return
    handler(call)


@route("menu")
def show_menu(call: CommandCall) -> None:
    with call.deps.session_factory.begin() as session:
        status = participant_status(
            session=session, team_id=call.team_id, user_id=call.user_id, now=call.deps.clock()
        )
    text, blocks = menu_message(status)
    call.ack(text=text, blocks=blocks)


@route("help")
def show_help(call: CommandCall) -> None:
    text, blocks = help_message()
    call.ack(text=text, blocks=blocks)


@route("status")
def show_status(call: CommandCall) -> None:
    with call.deps.session_factory.begin() as session:
        status = participant_status(
            session=session, team_id=call.team_id, user_id=call.user_id, now=call.deps.clock()
        )
    text, blocks = status_message(status)
    call.ack(text=text, blocks=blocks)


@route("join", "profile")
def open_profile(call: CommandCall) -> None:
    call.ack()
    after_ack(
        call.deps,
        call.body,
        call.client,
        lambda: open_profile_modal(
            call.client, call.deps, call.team_id, call.user_id, call.body["trigger_id"]
        ),
    )


def open_profile_modal(
    client: WebClient, deps: Deps, team_id: str, user_id: str, trigger_id: str, *, from_home: bool = False
) -> None:
    # The trigger lives 3 seconds: read the profile, open the modal, then anything slower.
    with deps.session_factory.begin() as session:
        profile = profiles.get_profile(session=session, team_id=team_id, user_id=user_id)
        view = profile_modal(profile, from_home=from_home)
    client.views_open(trigger_id=trigger_id, view=view)
    # Warm the directory cache so the submission doesn't wait on users.info for the time zone.
    deps.directory.lookup(client, team_id, user_id)


@route("pause")
def pause(call: CommandCall) -> None:
    weeks = profiles.parse_pause_weeks(call.args)
    with call.deps.session_factory.begin() as session:
        profiles.pause(
            session=session, team_id=call.team_id, user_id=call.user_id, weeks=weeks, now=call.deps.clock()
        )
        status = participant_status(
            session=session, team_id=call.team_id, user_id=call.user_id, now=call.deps.clock()
        )
    call.ack(text=messages.paused(status))


@route("resume")
def resume(call: CommandCall) -> None:
    with call.deps.session_factory.begin() as session:
        status = participant_status(
            session=session, team_id=call.team_id, user_id=call.user_id, now=call.deps.clock()
        )
        if status.joined and not status.paused:
            call.ack(text=messages.ALREADY_ACTIVE)
            return
        back = resume_program(
            session=session, team_id=call.team_id, user_id=call.user_id, now=call.deps.clock()
        )
    call.ack(text=messages.resumed(back))


@route("leave")
def confirm_leave(call: CommandCall) -> None:
    with call.deps.session_factory.begin() as session:
        profiles.require_profile(session=session, team_id=call.team_id, user_id=call.user_id)
    text, blocks = messages.confirm_leave()
    call.ack(text=text, blocks=blocks)


def register(app: App) -> None:
    app.command(SLASH_COMMAND)(handle_peer_mentor_command)
