"""Slack work that happens after the acknowledgement has gone back to Slack.

Bolt runs listeners before it answers (`process_before_response=True`), which keeps an ack as
fast as the listener's own code, with no thread hand-off or polling. Anything slow that follows
the ack (opening a modal, sending DMs, publishing App Home) is handed to `after_ack`, which runs
it on the deps' background pool and reports a failure to the person as the error handler would.

Follow-ups give way to acks (see bot.listeners.ack_first).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.listeners.deps import Deps
from bot.listeners.errors import tell_about_error

logger = logging.getLogger(__name__)


def after_ack(deps: Deps, body: dict[str, Any], client: WebClient, work: Callable[[], object]) -> None:
    queued_at = time.monotonic()

    def run() -> None:
        deps.acks.wait_until_quiet(queued_at=queued_at)
        try:
            work()
        except Exception as error:  # the request is answered already: report it, don't lose it
            tell_about_error(error, body, client)

    deps.background.submit(run)
