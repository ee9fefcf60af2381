"""The worker's clock: a start instant that moves on with real time.

`python -m bot.worker --once --now …` ticks at a chosen instant; everything the tick does
(leases, Retry-After, back-off) is measured from that instant as real time passes. `speed`
runs the clock faster than real time, for benchmarks and tests that would otherwise wait.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class TickClock:
    def __init__(
        self, start: datetime | None = None, *, speed: float = 1.0, origin: float | None = None
    ) -> None:
        """`origin`: the `time.monotonic()` reading that `start` stands for (default: now),
        so clocks in several processes can share one timeline."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.start = (start or datetime.now(UTC)).astimezone(UTC)
        self.speed = speed
        self._origin = time.monotonic() if origin is None else origin

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._origin) * self.speed)

    def seconds(self) -> float:
        """Now as seconds (on this clock), for pacing arithmetic."""
        return self.now().timestamp()

    def real_seconds(self, seconds: float) -> float:
        """How long `seconds` on this clock take in real time."""
        return max(0.0, seconds) / self.speed
