"""The one error handler: domain errors become friendly messages, the rest are logged.

Logs carry the error type and traceback but never the request body: bodies hold people's
own words.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.db import is_busy
from bot.services.errors import DomainError
from bot.ui.notice import notice_modal

logger = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on our side and nothing was changed. Please try again in a minute."
BUSY = "Peer Mentor is busy for a moment, so nothing was changed. Please try again in a few seconds."
OUT_OF_DATE = "This button is out of date, so nothing was changed. Type `/peer-mentor` to start again."


def handle_listener_error(
    error: Exception, body: dict[str, Any], response: BoltResponse | None, client: WebClient
) -> BoltResponse | None:
    message = _message_for(error, body)
    not_yet_acked = response is not None and response.status == 500
    if not_yet_acked and body.get("type") == "view_submission":
        return _json({"response_action": "update", "view": notice_modal("Peer Mentor", message)})
    if not_yet_acked and body.get("command"):
        return _json({"response_type": "ephemeral", "text": message})
    _deliver(body, client, message)
    return BoltResponse(status=200, body="") if not_yet_acked else None


def tell_about_error(error: Exception, body: dict[str, Any], client: WebClient) -> None:
    """For failures after the ack: log, and tell the person in their conversation with the app."""
    _deliver(body, client, _message_for(error, body))


def _message_for(error: Exception, body: dict[str, Any]) -> str:
    if isinstance(error, DomainError):
        return error.message
    if is_busy(error):
        logger.info("the database was busy for %s; the person was asked to try again", _kind(body))
        return BUSY
    if isinstance(error, OverflowError):  # an id no database can hold: not one this app made
        logger.info("an out-of-range id in a %s", _kind(body))
        return OUT_OF_DATE
    logger.error("listener failed for %s: %s", _kind(body), type(error).__name__, exc_info=error)
    return SORRY


def _json(payload: dict[str, Any]) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(payload), headers={"content-type": "application/json"})


def _kind(body: dict[str, Any]) -> str:
    event = body.get("event") or {}
    return str(body.get("type") or body.get("command") or event.get("type") or "request")


def _deliver(body: dict[str, Any], client: WebClient, message: str) -> None:
    """Tell the person where they are: the message they clicked in, or their DM with the app."""
    user = body.get("user")
    user_id = user.get("id") if isinstance(user, dict) else body.get("user_id")
    try:
        if body.get("response_url"):
            WebhookClient(body["response_url"]).send(
                text=message, response_type="ephemeral", replace_original=False
            )
        elif user_id:
            client.chat_postMessage(channel=user_id, text=message)
    except (SlackApiError, OSError) as failure:
        logger.warning("could not tell the person about an error: %s", type(failure).__name__)


def register(app: App) -> None:
    app.error(handle_listener_error)
