"""The worker process (Procfile `worker`): check-ins, feedback nudges and scheduled rounds.

    python -m bot.worker                      one scheduler process, ticking every minute
    python -m bot.worker --once [--now ISO]   exactly one tick at that instant, then exit

The scheduler is APScheduler's BlockingScheduler with one job under a fixed id: `coalesce`
folds ticks missed while one ran long into one, `max_instances=1` never runs two at once,
and a misfire grace of 30 s drops a tick that could not start in time (the next one, a
minute later, does the same work: everything due lives in the database, bot/jobs/tick.py).
No job store is shared between processes; web processes never start a scheduler.

`--once` serves cron-style platforms, tests, and travelling in time (`--now`).
Settings: SLACK_BOT_TOKEN, SLACK_API_URL and DATABASE_URL (see bot/config.py).
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from bot.config import ConfigError, WorkerSettings, load_worker_settings
from bot.jobs.db import worker_engine
from bot.jobs.tick import DEFAULT_BUDGET, run_tick
from bot.logging_setup import configure_logging

__all__ = ["build_scheduler", "main", "tick", "worker_engine"]

logger = logging.getLogger("peer_mentor.worker")

JOB_ID = "peer-mentor-tick"
MISFIRE_GRACE_SECONDS = 30


def tick(
    settings: WorkerSettings, engine: Engine, now: datetime, *, budget: timedelta = DEFAULT_BUDGET
) -> int:
    """One pass over what is due. Returns how many messages were sent."""
    report = run_tick(
        engine=engine,
        api_url=settings.slack_api_url,
        tokens=lambda _team_id: settings.slack_bot_token,
        now=now,
        budget=budget,
    )
    return report.sent


def parse_now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(
            f"--now must be an ISO-8601 instant such as 2026-03-04T09:30:00+00:00, not {text!r}"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def build_scheduler(settings: WorkerSettings, engine: Engine) -> Any:
    """The one scheduler: a tick every minute, on the minute, under a fixed job id."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BlockingScheduler(timezone=UTC)

    def scheduled_tick() -> None:
        try:
            tick(settings, engine, datetime.now(UTC))
        except Exception:
            # The next tick starts afresh; what was due is still in the database.
            logger.exception("tick failed")

    scheduler.add_job(
        scheduled_tick,
        CronTrigger(second=0, timezone=UTC),
        id=JOB_ID,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        next_run_time=datetime.now(UTC),
    )
    return scheduler


def run_scheduler(settings: WorkerSettings, engine: Engine) -> None:
    scheduler = build_scheduler(settings, engine)
    logger.info("Peer Mentor worker started: one tick a minute")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        logger.info("Peer Mentor worker stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.worker", description=__doc__.split("\n\n")[0])
    parser.add_argument("--once", action="store_true", help="run one tick and exit")
    parser.add_argument("--now", help="with --once: the instant to run the tick at (ISO-8601)")
    args = parser.parse_args(argv)
    try:
        settings = load_worker_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if args.now and not args.once:
        parser.error("--now needs --once")
    # The composition root: one engine (and its pool) for the process's whole life.
    engine = worker_engine(settings.database_url)
    try:
        if args.once:
            tick(settings, engine, parse_now(args.now), budget=timedelta(minutes=10))
            return 0
        import signal

        def stop(*_: object) -> None:
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        run_scheduler(settings, engine)
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
