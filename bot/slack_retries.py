"""How the web process's Slack calls are retried: a rate limit is waited out, briefly.

Web listeners send what a person is waiting for (a ground-rules proposal to their peer, the
agreed rules, App Home), so a 429 must not lose it. Slack answers a limit in two ways, HTTP
429 with `Retry-After`, and chat.postMessage's own HTTP 200 `rate_limited`; either way the
call was not carried out, so sending it again cannot double anything. A wait longer than
`LONGEST_WAIT` is not worth a person's patience: the call fails as before and the caller
says so (the worker, which can wait, has its own policy: bot/jobs/slack.py).

Nothing else is retried. slack_sdk's default handler re-sends a POST whose connection dropped
after Slack may have carried it out, which can post a message twice; a trigger-bound call
(views.open, views.push) is only retried when the wait still fits the trigger's 3 seconds.
"""

from __future__ import annotations

import time

from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryHandler, RetryState

RETRIES = 2
LONGEST_WAIT = 5.0  # seconds: past this, telling the person beats making them wait
TRIGGER_BOUND = ("views.open", "views.push")
TRIGGER_WAIT = 1.0  # a trigger lives 3 s; waiting longer than this would expire it
LIMIT_ERRORS = frozenset({"rate_limited", "ratelimited"})


class RateLimitRetry(RetryHandler):
    """Retry a call Slack refused for a rate limit, after the wait it asked for."""

    def __init__(self, max_retry_count: int = RETRIES) -> None:
        super().__init__(max_retry_count=max_retry_count)

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or not _limited(response):
            return False
        longest = TRIGGER_WAIT if request.url.rsplit("/", 1)[-1] in TRIGGER_BOUND else LONGEST_WAIT
        return _wait(response) <= longest

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        time.sleep(_wait(response) if response is not None else 1.0)
        state.increment_current_attempt()


def listener_retry_handlers() -> list[RetryHandler]:
    return [RateLimitRetry()]


def _limited(response: HttpResponse) -> bool:
    if response.status_code == 429:
        return True
    body = response.body or {}
    return response.status_code == 200 and body.get("ok") is False and body.get("error") in LIMIT_ERRORS


def _wait(response: HttpResponse) -> float:
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0]))
            except ValueError:
                break
    return 1.0
