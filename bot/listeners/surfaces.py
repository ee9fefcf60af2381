"""Showing results where the person is: the ephemeral menu, App Home, or a DM."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.listeners.deps import Deps
from bot.services.admin_settings import recent_changes
from bot.services.program_health import program_health
from bot.services.status import participant_status
from bot.ui.admin import admin_home_blocks
from bot.ui.kit import section
from bot.ui.status import home_view, menu_message


def publish_home(
    client: WebClient, deps: Deps, team_id: str, user_id: str, notice: str | None = None
) -> None:
    is_admin = deps.directory.is_admin(client, team_id, user_id)
    with deps.session_factory.begin() as session:
        status = participant_status(session=session, team_id=team_id, user_id=user_id, now=deps.clock())
        admin_section = None
        if is_admin:
            health = program_health(session=session, team_id=team_id, now=deps.clock())
            admin_section = admin_home_blocks(
                health, recent_changes(session=session, team_id=team_id, limit=3)
            )
    view = home_view(status, is_admin=is_admin, notice=notice, admin_section=admin_section)
    client.views_publish(user_id=user_id, view=view)


def send_dm(client: WebClient, user_id: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
    # chat.postMessage with a user id as the channel delivers to the app's DM with that person.
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


def from_home(body: dict[str, Any]) -> bool:
    return (body.get("view") or {}).get("type") == "home"


def tell(
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    deps: Deps,
    team_id: str,
    user_id: str,
    text: str,
) -> None:
    """Answer a click where it happened: refresh App Home, or replace the ephemeral menu."""
    if from_home(body):
        publish_home(client, deps, team_id, user_id, notice=text)
        return
    with deps.session_factory.begin() as session:
        status = participant_status(session=session, team_id=team_id, user_id=user_id, now=deps.clock())
    _, blocks = menu_message(status)
    if body.get("response_url"):
        respond(text=text, blocks=[section(text).to_dict(), *blocks], replace_original=True)
    else:
        send_dm(client, user_id, text)
