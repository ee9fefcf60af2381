"""The one error handler: domain errors become friendly messages, the rest are logged.

Logs carry the error type and traceback but never the request body: bodies hold people's
own words.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
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
TOO_LATE = "Slack didn't let that form open in time, so nothing was changed. Please try again."

# Slack refuses a trigger that is over 3 seconds old, already used, or not one it issued: the
# form can't open, nothing is wrong here, and trying again works.
TRIGGER_REFUSED = frozenset({"expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"})


def handle_listener_error(
    error: Exception, body: dict[str, Any], response: BoltResponse | None, client: WebClient
) -> BoltResponse | None:
    if isinstance(error, BoltUnhandledRequestError):
        # Nothing here listens for it (Slack sends only what the manifest subscribes to). An
        # event is still acknowledged, so Slack does not deliver it again.
        logger.info("no listener for a %s", _kind(body))
        return BoltResponse(status=200 if body.get("type") == "event_callback" else 404, body="")
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
    if isinstance(error, SlackApiError) and error.response.get("error") in TRIGGER_REFUSED:
        logger.info("a form could not open for a %s: %s", _kind(body), error.response.get("error"))
        return TOO_LATE
    if isinstance(error, OverflowError):  # an id no database can hold: not one this app made
        logger.info("an out-of-range id in a %s", _kind(body))
        return OUT_OF_DATE
    logger.error("listener failed for %s: %s", _kind(body), type(error).__name__, exc_info=error)
    return SORRY


def _json(payload: dict[str, Any]) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(payload), headers={"content-type": "application/json"})


def _kind(body: dict[str, Any]) -> str:
    """What kind of request this was, for a log line: a request type, command or event type
    as Slack names them, or just "request" (a log line never carries what a request held)."""
    event = body.get("event")
    event = event if isinstance(event, dict) else {}
    for kind in (body.get("type"), body.get("command"), event.get("type")):
        if isinstance(kind, str) and _NAME.fullmatch(kind):
            return kind
    return "request"


_NAME = re.compile(r"/?[a-z][a-z0-9_.-]{0,39}")


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
