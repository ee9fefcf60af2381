"""Production HTTP serving: gunicorn, with several web processes of a few threads each.

Each process reads requests on its event loop and hands a thread only a request that has
fully arrived, within time and size bounds (bot.http_worker): no client, however slow, holds
a thread.

A Python process runs one thread at a time, so a burst of Slack requests (a team all sending
the join form after an announcement) queues on one process's interpreter; two processes on a
two-core machine answer it side by side. Each process builds its own runtime after the fork
(database pool, follow-up threads, Slack client), so nothing is shared between them by accident.

(The whole-app tests and the sandbox serve in a thread with waitress instead: bot.serving.)
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from typing import Any

from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]  # no type hints

from bot.config import Settings
from bot.http_worker import BufferedThreadWorker
from bot.runtime import build_runtime

logger = logging.getLogger(__name__)

# Requests a process works on at once; a process with all of them busy stops accepting, and
# more wait in the kernel's queue for whichever process frees up first. Without the cap, the
# first process to wake takes nearly all of a burst (19 of 20, measured) while the other
# idles; with it, a burst is shared. Enough slots remain for the few requests that wait on
# Slack or the database before they are answered.
THREADS_PER_PROCESS = 8
# Connections a process holds at once, arriving, answered or closing; more wait in the
# kernel's queue. A slow client holds one for at most 12 s (bot.http_worker's bounds), and
# buffers at most a body's cap (1 MiB), so this also bounds a process's request memory.
CONNECTIONS_PER_PROCESS = 256
# Requests and follow-ups share each process's interpreter lock; handing it over sooner than
# the default 5 ms keeps a short ack from waiting behind a long piece of work.
GIL_SWITCH_SECONDS = 0.0005


class PeerMentorServer(BaseApplication):
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        super().__init__()

    def load_config(self) -> None:
        options: dict[str, Any] = {
            "bind": f"0.0.0.0:{self._settings.port}",
            "workers": self._settings.web_processes,
            "worker_class": BufferedThreadWorker,
            "threads": THREADS_PER_PROCESS,
            "worker_connections": CONNECTIONS_PER_PROCESS,
            "keepalive": 0,  # Slack opens a connection per request; an idle one would hold a slot
            "proc_name": "peer-mentor",
            "loglevel": self._settings.log_level.lower(),
            # No runtime control socket: it would live in $HOME, shared by every instance there.
            "control_socket_disable": True,
        }
        for name, value in options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        """Runs in each web process, after the fork."""
        sys.setswitchinterval(GIL_SWITCH_SECONDS)
        web_app = build_runtime(self._settings).web_app
        # Everything built so far lives as long as the process. Out of the garbage collector's
        # sight, it is no longer walked in every full collection (100+ ms each, measured,
        # stalling every request in flight); only what requests create is.
        gc.freeze()
        logger.info("web process %d is ready", os.getpid())
        return web_app


def serve(settings: Settings) -> None:
    PeerMentorServer(settings).run()
