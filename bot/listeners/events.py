"""Events API: App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.listeners.after_ack import after_ack
from bot.listeners.deps import deps_of, team_of
from bot.listeners.surfaces import publish_home
from bot.services import delivery


def handle_app_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: Any
) -> None:
    if event.get("tab") not in (None, "home"):
        return  # the Messages tab needs nothing from us
    deps, team_id = deps_of(context), team_of(body, context)
    # Bolt acknowledges the event when this returns; publishing happens after.
    after_ack(deps, body, client, lambda: publish_home(client, deps, team_id, event["user"]))


def handle_user_change(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: Any) -> None:
    """A deactivated account: stop sending to them, end their pair and tell the peer kindly."""
    user = event.get("user")
    # Only a true `deleted` is a deactivation: this ends a pair, so nothing merely truthy counts.
    if not isinstance(user, dict) or user.get("deleted") is not True or not isinstance(user.get("id"), str):
        return
    deps, team_id = deps_of(context), team_of(body, context)
    with deps.session_factory.begin() as session:
        delivery.mark_gone(
            session=session, team_id=team_id, user_id=user["id"], reason="deactivated", now=deps.clock()
        )


def register(app: App) -> None:
    app.event("app_home_opened")(handle_app_home_opened)
    app.event("user_change")(handle_user_change)
