"""What the app needs to know about people from Slack: time zone, admin rights, deactivation.

`users.info` is Tier 4, but a profile save or an admin check should not wait on Slack every
time, so answers are cached briefly per process.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)

CACHE_SECONDS = 600


@dataclass(frozen=True)
class SlackUser:
    user_id: str
    tz: str
    is_admin: bool
    deleted: bool
    is_bot: bool


class Directory:
    def __init__(self, *, program_admins: frozenset[str] = frozenset()) -> None:
        self._program_admins = program_admins
        self._cache: dict[tuple[str, str], tuple[float, SlackUser]] = {}
        self._lock = threading.Lock()

    def cached(self, team_id: str, user_id: str) -> SlackUser | None:
        """What we already know, without asking Slack."""
        with self._lock:
            cached = self._cache.get((team_id, user_id))
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        return None

    def lookup(self, client: WebClient, team_id: str, user_id: str) -> SlackUser | None:
        """The person as Slack knows them, or None when Slack can't say right now."""
        key = (team_id, user_id)
        known = self.cached(team_id, user_id)
        if known is not None:
            return known
        try:
            response = client.users_info(user=user_id)
        except SlackApiError as error:
            logger.warning("users.info failed: %s", error.response.get("error"))
            return None
        except OSError as error:  # network trouble reaching Slack
            logger.warning("users.info failed: %s", type(error).__name__)
            return None
        data = response["user"]
        user = SlackUser(
            user_id=user_id,
            tz=data.get("tz") or "UTC",
            is_admin=bool(data.get("is_admin") or data.get("is_owner") or data.get("is_primary_owner")),
            deleted=bool(data.get("deleted")),
            is_bot=bool(data.get("is_bot")),
        )
        with self._lock:
            self._cache[key] = (time.monotonic(), user)
        return user

    def timezone(self, client: WebClient, team_id: str, user_id: str, *, fallback: str = "UTC") -> str:
        user = self.lookup(client, team_id, user_id)
        return user.tz if user else fallback

    def known_admin(self, team_id: str, user_id: str) -> bool | None:
        """Whether they are a program admin, from what is known without asking Slack; None
        when Slack must be asked (after the acknowledgement: bot/listeners/admin_check.py)."""
        if user_id in self._program_admins:
            return True
        user = self.cached(team_id, user_id)
        return None if user is None else user.is_admin

    def asked_admin(self, client: WebClient, team_id: str, user_id: str) -> bool | None:
        """Whether they are a program admin, asking Slack if need be; None when Slack can't say."""
        if user_id in self._program_admins:
            return True
        user = self.lookup(client, team_id, user_id)
        return None if user is None else user.is_admin

    def is_admin(self, client: WebClient, team_id: str, user_id: str) -> bool:
        """Program admins: named in PEER_MENTOR_ADMINS, or a workspace admin/owner."""
        if user_id in self._program_admins:
            return True
        user = self.lookup(client, team_id, user_id)
        return bool(user and user.is_admin)
