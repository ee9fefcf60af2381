"""Simulated time: real time plus an offset that only moves forward.

The app, the emulator and the signatures on requests all read this clock, so after
"advance 1 week" the app believes a week has passed, and Slack's own timings (a trigger's 3
seconds) still run at the speed of real time.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SandboxClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0 if start is None else start.timestamp() - time.time()

    def __call__(self) -> datetime:
        return self.now()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), tz=UTC)

    def timestamp(self) -> float:
        with self._lock:
            return time.time() + self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Move simulated time forward by `delta`; returns the new now."""
        if delta < timedelta(0):
            raise ValueError("time in the sandbox only moves forward")
        with self._lock:
            self._offset += delta.total_seconds()
        return self.now()

    def advance_to(self, when: datetime) -> datetime:
        """Move forward to `when` (never back)."""
        gap = when.timestamp() - self.timestamp()
        return self.advance(timedelta(seconds=max(0.0, gap)))

    @property
    def offset(self) -> timedelta:
        with self._lock:
            return timedelta(seconds=self._offset)
