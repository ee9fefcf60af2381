"""The Slack Web API as the worker uses it: a client per workspace, and what each failure means.

The client is built with **no retry handlers**. slack_sdk's default
`ConnectionErrorRetryHandler` re-sends a POST whose connection dropped after Slack may
already have processed it, which can post a message twice; the sender decides instead
(bot/jobs/sender.py: an attempt whose outcome is unknown stays "in doubt" and is looked up
before any re-send).
"""

from __future__ import annotations

import http.client
import math
import urllib.error
from dataclasses import dataclass
from enum import Enum

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

# The event type of the metadata on every message the worker posts; its payload carries the
# outbox key, which is how a message already in Slack is recognised after a crash.
METADATA_EVENT = "peer_mentor_outbox"
HTTP_TIMEOUT = 10
# A rate limit answered without Retry-After (chat.postMessage's HTTP 200 `rate_limited`):
# wait this long, and the workspace's pacer slows down too.
RATE_LIMIT_BACKOFF = 60.0

# Slack refused the token: nothing in this workspace can be sent until it is fixed.
AUTH_ERRORS = frozenset(
    {
        "invalid_auth",
        "token_revoked",
        "token_expired",
        "not_authed",
        "org_login_required",
        "team_access_not_granted",
    }
)
# Nobody is there to receive: stop sending to this person.
GONE_ERRORS = frozenset(
    {"user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot", "user_not_visible"}
)
# "Later", never "never": chat.postMessage's own limit answers HTTP 200 `rate_limited`, a
# workspace over its message allowance `message_limit_exceeded`, every other limit HTTP 429.
RATE_LIMIT_ERRORS = frozenset({"ratelimited", "rate_limited", "message_limit_exceeded"})
# Slack failed while doing it: the message may have been posted all the same.
AMBIGUOUS_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
# Slack answered but could not do it right now; the message is certainly not posted.
TRANSIENT_ERRORS = frozenset({"team_added_to_org"})


class Verdict(Enum):
    RATE_LIMITED = "rate_limited"
    AUTH = "auth"
    GONE = "gone"
    TRANSIENT = "transient"
    STALE_CHANNEL = "stale_channel"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class Failure:
    verdict: Verdict
    error: str
    # Seconds Slack asked us to wait (Retry-After); None when it did not say.
    retry_after: float | None = None
    # The request may have reached Slack and been carried out (no answer, or a 5xx page).
    maybe_done: bool = False

    @property
    def wait(self) -> float:
        """How long to hold off after a rate limit: Retry-After, else a minute."""
        return RATE_LIMIT_BACKOFF if self.retry_after is None else self.retry_after


def make_client(token: str, base_url: str, *, timeout: int = HTTP_TIMEOUT) -> WebClient:
    return WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=[])


def classify(error: Exception) -> Failure:
    """What a failed Web API call means for the worker. Anything unknown is permanent."""
    if isinstance(error, SlackApiError):
        response = error.response
        status = response.status_code
        if status == 429:
            return Failure(Verdict.RATE_LIMITED, "ratelimited", retry_after=_retry_after(response.headers))
        if status >= 500:
            return Failure(Verdict.TRANSIENT, f"http_{status}", maybe_done=True)
        code = (
            str(response.get("error") or "unknown_error")
            if isinstance(response.data, dict)
            else "unknown_error"
        )
        if code in AUTH_ERRORS:
            return Failure(Verdict.AUTH, code)
        if code in GONE_ERRORS:
            return Failure(Verdict.GONE, code)
        if code in RATE_LIMIT_ERRORS:
            return Failure(Verdict.RATE_LIMITED, code, retry_after=_retry_after(response.headers, None))
        if code in AMBIGUOUS_ERRORS:
            return Failure(Verdict.TRANSIENT, code, maybe_done=True)
        if code in TRANSIENT_ERRORS:
            return Failure(Verdict.TRANSIENT, code)
        if code == "channel_not_found":
            return Failure(Verdict.STALE_CHANNEL, code)
        return Failure(Verdict.PERMANENT, code)
    if isinstance(error, (OSError, urllib.error.URLError, http.client.HTTPException, SlackClientError)):
        # A dropped connection or a timeout: Slack may have done it without our hearing back.
        return Failure(Verdict.TRANSIENT, type(error).__name__, maybe_done=True)
    raise error


def _retry_after(headers: dict[str, object], default: float | None = 1.0) -> float | None:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            text = value[0] if isinstance(value, list) and value else value
            try:
                return max(1.0, float(math.ceil(float(str(text)))))
            except ValueError:
                break
    return default
