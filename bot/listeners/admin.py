"""`/peer-mentor admin` and App Home's "Program settings": the settings modal, for admins only."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.ids import AdminId
from bot.listeners.after_ack import after_ack
from bot.listeners.commands import CommandCall, route
from bot.listeners.deps import Deps, deps_of, team_of, user_of
from bot.listeners.surfaces import publish_home, send_dm
from bot.services import admin_settings
from bot.services.errors import InvalidInput
from bot.ui.admin import read_settings_form, settings_modal, settings_saved


@route("admin")
def open_admin(call: CommandCall) -> None:
    if not call.deps.directory.is_admin(call.client, call.team_id, call.user_id):
        call.ack(text=admin_settings.NOT_AN_ADMIN)
        return
    call.ack()
    after_ack(
        call.deps,
        call.body,
        call.client,
        lambda: open_settings_modal(
            call.client, call.deps, call.team_id, call.user_id, call.body["trigger_id"]
        ),
    )


def handle_open_settings_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    ack()
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)

    def open_if_admin() -> None:
        admin_settings.require_admin(deps.directory.is_admin(client, team_id, user_id))
        open_settings_modal(client, deps, team_id, user_id, body["trigger_id"])

    after_ack(deps, body, client, open_if_admin)


def open_settings_modal(client: WebClient, deps: Deps, team_id: str, user_id: str, trigger_id: str) -> None:
    # The trigger lives 3 seconds: read, open, nothing slower first (the time zone is cached
    # by the admin check that came before).
    tz = deps.directory.timezone(client, team_id, user_id)
    with deps.session_factory.begin() as session:
        settings = admin_settings.current_settings(session=session, team_id=team_id)
        changes = admin_settings.recent_changes(session=session, team_id=team_id, limit=5)
    client.views_open(trigger_id=trigger_id, view=settings_modal(settings, changes, tz=tz))


def handle_settings_submitted(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    is_admin = deps.directory.is_admin(client, team_id, user_id)
    form = read_settings_form(body["view"]["state"]["values"])
    tz = deps.directory.timezone(client, team_id, user_id)
    with deps.session_factory.begin() as session:
        current = admin_settings.current_settings(session=session, team_id=team_id)
        try:
            valid = admin_settings.validate_settings(form, tz=tz, now=deps.clock(), current=current)
        except InvalidInput as invalid:
            ack(response_action="errors", errors=invalid.field_errors)
            return
        # A non-admin is refused here (NotAllowed reaches the error handler, which says so).
        changes = admin_settings.update_settings(
            session=session,
            team_id=team_id,
            actor_id=user_id,
            actor_is_admin=is_admin,
            settings=valid,
            now=deps.clock(),
        )
    ack()

    def confirm() -> None:
        send_dm(client, user_id, settings_saved(changes))
        publish_home(client, deps, team_id, user_id)

    after_ack(deps, body, client, confirm)


def register(app: App) -> None:
    app.action(AdminId.OPEN_SETTINGS)(handle_open_settings_clicked)
    app.view(AdminId.SETTINGS_MODAL)(handle_settings_submitted)
