"""Admin checks that never hold up an acknowledgement.

Who is a program admin comes from Slack (`users.info`: admin or owner) unless they are named
in PEER_MENTOR_ADMINS. Asking Slack before the ack would spend the 3 seconds Slack gives it on
Slack's own latency, and a slow or rate-limited answer would make a real admin look like
anyone else. So a listener decides before the ack only from what is known without asking (the
named admins, and answers cached a short while by bot/listeners/directory.py); otherwise it
acknowledges at once ("one moment": a modal that says it is checking, or nothing yet) and asks
after the ack, where a rate limit is waited out (bot/slack_retries.py). When Slack can't say
at all, the person is told that, not refused.

A modal the app opened after a check carries when that check happened (`checked_metadata`):
Slack stores private_metadata itself and returns it unchanged, so its submission needs no
second check for a while (`TRUST_CHECK_FOR`).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot.listeners.deps import Deps

TRUST_CHECK_FOR = timedelta(hours=1)
CHECK_FAILED = (
    "I couldn't check with Slack that you're a program admin just now, so nothing was changed. "
    "Please try again in a minute."
)


def admin_now(deps: Deps, team_id: str, user_id: str) -> bool | None:
    """True or False when known without asking Slack; None: ask with `admin_after_ack`."""
    return deps.directory.known_admin(team_id, user_id)


def admin_after_ack(deps: Deps, client: WebClient, team_id: str, user_id: str) -> bool | None:
    """Ask Slack (only ever after the acknowledgement); None when Slack can't say."""
    return deps.directory.asked_admin(client, team_id, user_id)


def checked_metadata(checked_at: datetime, **extra: str) -> str:
    return json.dumps({"admin_checked_at": checked_at.isoformat(), **extra}, separators=(",", ":"))


def read_checked_metadata(private_metadata: str, now: datetime) -> dict[str, str] | None:
    """The modal's metadata when its admin check is recent enough to trust, else None."""
    try:
        data = json.loads(private_metadata or "")
        checked_at = datetime.fromisoformat(data["admin_checked_at"])
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(data, dict) or checked_at.tzinfo is None:
        return None
    if not timedelta(0) <= now - checked_at <= TRUST_CHECK_FOR:
        return None
    return {k: v for k, v in data.items() if isinstance(v, str)}
