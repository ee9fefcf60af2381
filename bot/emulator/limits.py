"""Slack's rate-limit tiers per Web API method, and chat.postMessage's per-channel limit.

From Slack's rate-limits reference: limits are per method, per workspace, per app; each tier
is a number of calls per minute ("Tier 2: 20+ per minute" and so on, the lower bound used
here). chat.postMessage has its own: about one message per second per channel, short bursts
allowed (a bucket of BURST messages refilled at one per second). Over a limit: HTTP 429
with Retry-After and {"ok": false, "error": "ratelimited"}.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

TIERS = {1: 1, 2: 20, 3: 50, 4: 100}  # (Slack) calls per minute
METHOD_TIERS: dict[str, int] = {
    "auth.test": 4,  # (Slack: special, generous)
    "chat.postEphemeral": 4,
    "chat.update": 3,
    "chat.getPermalink": 4,
    "conversations.open": 3,
    "conversations.history": 3,
    "conversations.members": 4,
    "conversations.info": 3,
    "users.info": 4,
    "users.list": 2,
    "usergroups.list": 2,
    "usergroups.users.list": 2,
    "views.open": 4,
    "views.push": 4,
    "views.update": 4,
    "views.publish": 4,
    "files.getUploadURLExternal": 4,
    "files.completeUploadExternal": 4,
}
POST_PER_SECOND = 1.0  # (Slack) chat.postMessage, per channel
BURST = 5  # inferred: "short bursts allowed"; Slack publishes no number


@dataclass
class Limits:
    """Sliding one-minute windows per (method, workspace); a token bucket per channel for
    chat.postMessage. `check` answers the seconds to wait, or None and counts the call."""

    windows: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    buckets: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)  # tokens, at

    def check(self, method: str, team_id: str, channel: str | None, now: float) -> int | None:
        if method == "chat.postMessage":
            return self._post(team_id, channel or "", now)
        tier = METHOD_TIERS.get(method)
        if tier is None:
            return None
        limit = TIERS[tier]
        hits = self.windows.setdefault((method, team_id), deque())
        while hits and hits[0] <= now - 60:
            hits.popleft()
        if len(hits) >= limit:
            return max(1, math.ceil(hits[0] + 60 - now))
        hits.append(now)
        return None

    def _post(self, team_id: str, channel: str, now: float) -> int | None:
        tokens, at = self.buckets.get((team_id, channel), (float(BURST), now))
        tokens = min(float(BURST), tokens + (now - at) * POST_PER_SECOND)
        if tokens < 1.0:
            self.buckets[(team_id, channel)] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / POST_PER_SECOND))
        self.buckets[(team_id, channel)] = (tokens - 1.0, now)
        return None

    def clear(self) -> None:
        self.windows.clear()
        self.buckets.clear()
