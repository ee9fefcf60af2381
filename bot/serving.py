"""Serve a WSGI app with waitress on a background thread, and stop it cleanly.

Used where the app runs beside something else in one process: the whole-app tests and the
benchmarks. (In production app.py serves with gunicorn: bot.http_server.)
"""

from __future__ import annotations

import threading
from typing import Any

from waitress import wasyncore
from waitress.server import create_server


class BackgroundServer:
    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> None:
        self._server: Any = create_server(app, host=host, port=port, threads=threads, ident="peer-mentor")
        self._thread = threading.Thread(target=self._server.run, name="waitress", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    def start(self) -> BackgroundServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        # Closing sockets from another thread races the event loop's select(); instead ask the
        # loop itself to close everything, which empties its map and ends it.
        try:
            self._server.trigger.pull_trigger(lambda: wasyncore.close_all(self._server._map))
        except OSError:
            # The wake-up pipe is gone, so the loop has stopped on its own: close what is left here.
            self._thread.join(timeout=10)
            wasyncore.close_all(self._server._map, ignore_all=True)
        self._thread.join(timeout=10)
        self._server.task_dispatcher.shutdown()
