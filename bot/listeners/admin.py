"""`/peer-mentor admin` and App Home's "Program settings": the settings modal, for admins only."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.ids import AdminId
from bot.listeners.admin_check import (
    CHECK_FAILED,
    admin_after_ack,
    admin_now,
    checked_metadata,
    read_checked_metadata,
)
from bot.listeners.after_ack import after_ack
from bot.listeners.commands import CommandCall, route
from bot.listeners.deps import Deps, deps_of, team_of, user_of
from bot.listeners.surfaces import publish_home, send_dm
from bot.services import admin_settings
from bot.services.errors import InvalidInput
from bot.ui.admin import read_settings_form, settings_modal, settings_saved
from bot.ui.notice import notice_modal

TITLE = "Program settings"
CHECKING = "Checking with Slack that you're a program admin…"
NOT_SAVED = "Your settings were not saved. Open the settings again to fix these:"
SAVED = "Your settings are saved."


@route("admin")
def open_admin(call: CommandCall) -> None:
    known = admin_now(call.deps, call.team_id, call.user_id)
    if known is False:
        call.ack(text=admin_settings.NOT_AN_ADMIN)
        return
    call.ack()
    after_ack(
        call.deps,
        call.body,
        call.client,
        lambda: open_settings_modal(
            call.client, call.deps, call.team_id, call.user_id, call.body["trigger_id"], known=known
        ),
    )


def handle_open_settings_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    ack()
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    known = admin_now(deps, team_id, user_id)
    after_ack(
        deps,
        body,
        client,
        lambda: open_settings_modal(client, deps, team_id, user_id, body["trigger_id"], known=known),
    )


def open_settings_modal(
    client: WebClient, deps: Deps, team_id: str, user_id: str, trigger_id: str, *, known: bool | None
) -> None:
    """Open the settings for an admin. The trigger lives 3 seconds, so when Slack must first be
    asked who they are, a modal saying so opens at once and becomes the settings (or a refusal)."""
    if known is False:
        client.views_open(trigger_id=trigger_id, view=notice_modal(TITLE, admin_settings.NOT_AN_ADMIN))
        return
    view_id = None
    if known is None:
        view_id = client.views_open(trigger_id=trigger_id, view=notice_modal(TITLE, CHECKING))["view"]["id"]
        is_admin = admin_after_ack(deps, client, team_id, user_id)
        if not is_admin:
            text = CHECK_FAILED if is_admin is None else admin_settings.NOT_AN_ADMIN
            client.views_update(view_id=view_id, view=notice_modal(TITLE, text))
            return
    tz = deps.directory.timezone(client, team_id, user_id)  # cached by the check
    with deps.session_factory.begin() as session:
        settings = admin_settings.current_settings(session=session, team_id=team_id)
        changes = admin_settings.recent_changes(session=session, team_id=team_id, limit=5)
    metadata = checked_metadata(deps.clock(), user=user_id, tz=tz)
    view = settings_modal(settings, changes, tz=tz, private_metadata=metadata)
    if view_id is None:
        client.views_open(trigger_id=trigger_id, view=view)
    else:
        client.views_update(view_id=view_id, view=view)


def handle_settings_submitted(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    form = read_settings_form(body["view"]["state"]["values"])
    checked = read_checked_metadata(body["view"].get("private_metadata") or "", deps.clock())
    known = (
        True if checked is not None and checked.get("user") == user_id else admin_now(deps, team_id, user_id)
    )
    if known is False:
        ack(response_action="update", view=notice_modal(TITLE, admin_settings.NOT_AN_ADMIN))
        return
    if known is None:
        # Opened long ago (or by someone else): ask Slack again, after an ack that says so.
        ack(response_action="update", view=notice_modal(TITLE, CHECKING))
        after_ack(deps, body, client, lambda: _save_after_check(client, deps, team_id, user_id, body, form))
        return
    tz = checked["tz"] if checked is not None and checked.get("user") == user_id else None
    tz = tz or deps.directory.timezone(client, team_id, user_id)  # cached with the admin answer
    with deps.session_factory.begin() as session:
        current = admin_settings.current_settings(session=session, team_id=team_id)
        try:
            valid = admin_settings.validate_settings(form, tz=tz, now=deps.clock(), current=current)
        except InvalidInput as invalid:
            ack(response_action="errors", errors=invalid.field_errors)
            return
        changes = admin_settings.update_settings(
            session=session,
            team_id=team_id,
            actor_id=user_id,
            actor_is_admin=True,
            settings=valid,
            now=deps.clock(),
        )
    ack()
    after_ack(deps, body, client, lambda: _confirm(client, deps, team_id, user_id, changes))


def _save_after_check(
    client: WebClient, deps: Deps, team_id: str, user_id: str, body: dict[str, Any], form: Any
) -> None:
    view_id = body["view"]["id"]
    is_admin = admin_after_ack(deps, client, team_id, user_id)
    if not is_admin:
        text = CHECK_FAILED if is_admin is None else admin_settings.NOT_AN_ADMIN
        client.views_update(view_id=view_id, view=notice_modal(TITLE, text))
        return
    tz = deps.directory.timezone(client, team_id, user_id)
    with deps.session_factory.begin() as session:
        current = admin_settings.current_settings(session=session, team_id=team_id)
        try:
            valid = admin_settings.validate_settings(form, tz=tz, now=deps.clock(), current=current)
        except InvalidInput as invalid:
            problems = "\n".join(f"• {text}" for text in invalid.field_errors.values())
            client.views_update(view_id=view_id, view=notice_modal(TITLE, f"{NOT_SAVED}\n{problems}"))
            return
        changes = admin_settings.update_settings(
            session=session,
            team_id=team_id,
            actor_id=user_id,
            actor_is_admin=True,
            settings=valid,
            now=deps.clock(),
        )
    client.views_update(view_id=view_id, view=notice_modal(TITLE, SAVED))
    _confirm(client, deps, team_id, user_id, changes)


def _confirm(client: WebClient, deps: Deps, team_id: str, user_id: str, changes: Any) -> None:
    send_dm(client, user_id, settings_saved(changes))
    publish_home(client, deps, team_id, user_id)


def register(app: App) -> None:
    app.action(AdminId.OPEN_SETTINGS)(handle_open_settings_clicked)
    app.view(AdminId.SETTINGS_MODAL)(handle_settings_submitted)
