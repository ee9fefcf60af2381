"""Who is in a team, asked of Slack: a channel's members or a user group's. Shared by the
`summary` command (listeners) and the scheduled summaries (jobs).

conversations.members is paginated (200 a page: a 10,000-member channel is 50 calls, well
inside its Tier 4 limit); a 429 is waited out as its Retry-After says, a few times.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

logger = logging.getLogger(__name__)

PAGE_SIZE = 200
MAX_RATE_LIMIT_WAITS = 5
_bot_user_ids: dict[str, str] = {}


def call_slack(
    method: Callable[..., SlackResponse], *, sleep: Callable[[float], None] = time.sleep, **kwargs: Any
) -> SlackResponse:
    """Call a Web API method, waiting out rate limits (HTTP 429 + Retry-After)."""
    for attempt in range(MAX_RATE_LIMIT_WAITS + 1):
        try:
            return method(**kwargs)
        except SlackApiError as error:
            if error.response.status_code != 429 or attempt == MAX_RATE_LIMIT_WAITS:
                raise
            wait = float(error.response.headers.get("Retry-After", "1") or 1)
            logger.info("rate limited; waiting %.0f s", wait)
            sleep(wait)
    raise AssertionError("unreachable")


def channel_members(
    client: WebClient, channel_id: str, *, sleep: Callable[[float], None] = time.sleep
) -> list[str]:
    """Every member of the channel, page by page, without the app itself."""
    members: list[str] = []
    cursor: str | None = None
    while True:
        page = call_slack(
            client.conversations_members, sleep=sleep, channel=channel_id, limit=PAGE_SIZE, cursor=cursor
        )
        members.extend(page.get("members") or [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            break
    bot = bot_user_id(client)
    return list(dict.fromkeys(m for m in members if m != bot))


def usergroup_members(client: WebClient, usergroup_id: str, team_id: str) -> list[str]:
    page = call_slack(client.usergroups_users_list, usergroup=usergroup_id, team_id=team_id)
    return list(dict.fromkeys(page.get("users") or []))


def find_usergroup(client: WebClient, handle: str, team_id: str) -> str | None:
    """A user group's id from its handle ("design-team"), for commands typed without escaping."""
    page = call_slack(client.usergroups_list, team_id=team_id)
    for group in page.get("usergroups") or []:
        if str(group.get("handle", "")).lower() == handle.lower() and not group.get("date_delete"):
            return str(group["id"])
    return None


def bot_user_id(client: WebClient) -> str | None:
    """The app's own user id (auth.test), asked once per token."""
    token = client.token or ""
    if token not in _bot_user_ids:
        try:
            _bot_user_ids[token] = str(call_slack(client.auth_test)["user_id"])
        except SlackApiError as error:
            logger.warning("auth.test failed: %s", error.response.get("error"))
            return None
    return _bot_user_ids[token]
