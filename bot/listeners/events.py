"""Events API: App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.listeners.deps import deps_of, team_of
from bot.listeners.surfaces import publish_home


def handle_app_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: Any
) -> None:
    if event.get("tab") not in (None, "home"):
        return  # the Messages tab needs nothing from us
    publish_home(client, deps_of(context), team_of(body, context), event["user"])


def register(app: App) -> None:
    app.event("app_home_opened")(handle_app_home_opened)
