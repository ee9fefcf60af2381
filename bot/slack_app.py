"""Builds the Bolt app: the Web API client pointed at SLACK_API_URL, deps, listeners."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.config import Settings
from bot.listeners import register_listeners
from bot.listeners.deps import Deps
from bot.slack_retries import listener_retry_handlers


def create_bolt_app(deps: Deps) -> App:
    settings: Settings = deps.settings
    # slack_sdk reads no environment variable for the API URL; every per-request client Bolt
    # builds copies base_url and the retry handlers from this one.
    client = WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=listener_retry_handlers(),
    )
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or None,
        # bot.web checks every signature before Bolt sees the request (Bolt answers 500 to some
        # malformed headers and logs whole bodies when its own check fails).
        request_verification_enabled=False,
        # auth.test runs on the first request instead, so start-up never depends on Slack.
        token_verification_enabled=False,
        # Listeners run in the request's own thread and the ack goes back when they return;
        # slow Slack work after the ack goes through bot.listeners.after_ack.
        process_before_response=True,
        # A request no listener takes goes to the one error handler, which logs one line;
        # Bolt's own warning spans several and quotes the request.
        raise_error_for_unhandled_request=True,
    )

    def inject_deps(context: Any, next: Callable[[], None]) -> None:
        context["deps"] = deps
        next()

    app.use(inject_deps)
    register_listeners(app)
    return app
