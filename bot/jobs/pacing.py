"""Pacing: each workspace is a lane with its own pace, learnt from Slack's 429s.

Worker threads take whichever lane is ready, send a few of its messages, and put it back
(bot/jobs/sender.py). A 429 parks only that lane until Retry-After and teaches its pacer
the rate the workspace allows, so a slow or limited workspace never holds up the others.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from slack_sdk import WebClient

from bot.services.outbox import OutboxRow


class Pacer:
    """One workspace's sending pace: as fast as Slack lets it, learnt from 429s.

    Unlimited until the first 429. Then the sends of the minute before it are taken as the
    rate the workspace allows (Slack's limits are per minute), and sends are spaced to match
    it, with 2% to spare; a 429 at that pace slows it by another 5%. After five quiet minutes
    the pace creeps up by 5%, to find out whether the limit has lifted.
    """

    WINDOW = 60.0
    PROBE_AFTER = 300.0

    def __init__(self) -> None:
        self.interval = 0.0
        self.ready_at = 0.0
        self._sent: deque[float] = deque()
        self._since = 0.0

    def wait(self, now: float) -> float:
        return max(0.0, self.ready_at - now)

    def sent(self, now: float) -> None:
        self._sent.append(now)
        self._forget(now)
        if self.interval and now - self._since >= self.PROBE_AFTER:
            self.interval *= 0.95
            self._since = now
        # The next slot follows the previous one, not this send's end: time spent sending
        # is not added to every gap. Falling behind earns at most one slot of credit.
        self.ready_at = max(self.ready_at, now - self.interval) + self.interval

    def limited(self, now: float, retry_after: float) -> None:
        self._forget(now)
        # 2% under the rate just seen: clocks and scheduling jitter must not tip it over.
        learnt = self.WINDOW / len(self._sent) * 1.02 if self._sent else 0.0
        self.interval = learnt if learnt > self.interval else max(self.interval * 1.05, 0.01)
        self._since = now
        self.ready_at = max(self.ready_at, now + retry_after)

    def _forget(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - self.WINDOW:
            self._sent.popleft()


@dataclass
class Lane:
    """One workspace's rows claimed for sending, its Slack client and its pace."""

    team_id: str
    client: WebClient
    pacer: Pacer = field(default_factory=Pacer)
    rows: deque[OutboxRow] = field(default_factory=deque)
    stopped: bool = False
    swept: bool = False
