"""Acks go first: follow-up work gives way to requests that are being answered.

Slack times every acknowledgement (3 seconds, and a person notices far less); nothing times
the DM that follows one. All of a process's threads share one interpreter lock, so follow-ups
that run while a burst of requests is being answered slow every ack in the burst down. The
front door counts the requests it is answering; a follow-up waits until there are none, but
never longer than FOLLOW_UP_MAX_DELAY after it was queued, so under sustained load it still
runs promptly, and a modal still opens well inside its trigger's three seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

FOLLOW_UP_MAX_DELAY = 0.25  # seconds


class AcksInFlight:
    """The number of requests being answered right now, and a way to wait for none."""

    def __init__(self) -> None:
        self._answering = 0
        self._quiet = threading.Condition()

    @contextmanager
    def answering(self) -> Iterator[None]:
        with self._quiet:
            self._answering += 1
        try:
            yield
        finally:
            with self._quiet:
                self._answering -= 1
                if self._answering == 0:
                    self._quiet.notify_all()

    def wait_until_quiet(self, *, queued_at: float) -> None:
        """Return once no request is being answered, or FOLLOW_UP_MAX_DELAY after `queued_at`."""
        deadline = queued_at + FOLLOW_UP_MAX_DELAY
        with self._quiet:
            while self._answering and (left := deadline - time.monotonic()) > 0:
                self._quiet.wait(left)
