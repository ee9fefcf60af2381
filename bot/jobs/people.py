"""Who is still on Slack: users.info for one person or a group, users.list for many.

Slack accepts a DM to a deactivated person without error, so the worker asks (`deleted` in
users.info or users.list) before sending, and trusts the answer for a day
(bot/services/delivery.py). These functions only read Slack; the sender records what they
found.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient

from .slack import Failure, Verdict, classify

INLINE_WAIT = 5.0  # a users.list page rate limited for longer than this ends the sweep


@dataclass
class Directory:
    """What Slack said: active people with their time zones, and who is gone (and why)."""

    active: dict[str, str] = field(default_factory=dict)
    gone: dict[str, str] = field(default_factory=dict)


def gone_reason(user: dict[str, object]) -> str | None:
    if user.get("deleted"):
        return "deactivated"
    if user.get("is_bot"):
        return "is_bot"
    return None


def look_up(client: WebClient, user_ids: list[str]) -> Directory | Failure:
    """users.info for each person. A person Slack cannot find is gone; any other failure
    is returned, and nothing is concluded."""
    found = Directory()
    for user_id in user_ids:
        try:
            user = client.users_info(user=user_id).get("user") or {}
        except Exception as error:
            failure = classify(error)
            if failure.verdict != Verdict.GONE or failure.error == "account_inactive":
                # account_inactive may be our own token's: the sender asks auth.test first.
                return failure
            found.gone[user_id] = failure.error
            continue
        reason = gone_reason(user)
        if reason is None:
            found.active[user_id] = str(user.get("tz") or "")
        else:
            found.gone[user_id] = reason
    return found


def sweep(client: WebClient, *, real_seconds: Callable[[float], float]) -> Directory | str:
    """Everyone in the workspace, paged through users.list. A failure that does not pass in
    a few seconds returns its error code (each person is then checked with users.info)."""
    found = Directory()
    cursor = None
    while True:
        try:
            page = client.users_list(limit=200, cursor=cursor)
        except Exception as error:
            failure = classify(error)
            if failure.verdict == Verdict.RATE_LIMITED and failure.wait <= INLINE_WAIT:
                time.sleep(real_seconds(failure.wait))
                continue
            return failure.error
        for member in page.get("members") or []:
            user_id = member.get("id")
            if not isinstance(user_id, str):
                continue
            reason = "deactivated" if member.get("deleted") else None
            if reason is None:
                found.active[user_id] = str(member.get("tz") or "")
            else:
                found.gone[user_id] = reason
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return found
