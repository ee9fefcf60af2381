"""The worker process (Procfile `worker`).

Check-ins, feedback nudges and scheduled rounds arrive with the worker issue; until then the
worker starts, says it has nothing to do, and idles, so a deployment can already run it.
`--once` runs a single tick and exits (for cron-style platforms and tests).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from datetime import UTC, datetime

from bot.config import database_url_from_env
from bot.db import make_engine, make_session_factory
from bot.logging_setup import configure_logging

logger = logging.getLogger("peer_mentor.worker")


def tick(now: datetime) -> int:
    """One pass over what is due. Returns how many things were sent (none yet)."""
    engine = make_engine(database_url_from_env())
    try:
        with make_session_factory(engine).begin():
            pass
    finally:
        engine.dispose()
    logger.info("tick at %s: nothing is scheduled yet", now.isoformat())
    return 0


def parse_now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"--now must be an ISO-8601 instant such as 2026-03-04T09:30:00+00:00, not {text!r}")
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.worker", description=__doc__)
    parser.add_argument("--once", action="store_true", help="run one tick and exit")
    parser.add_argument("--now", help="with --once: the instant to run the tick at (ISO-8601)")
    args = parser.parse_args(argv)
    configure_logging("INFO")
    if args.once:
        tick(parse_now(args.now))
        return 0
    logger.info("Peer Mentor worker started; nothing is scheduled yet, so it idles.")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
