"""One tick of the worker: pauses that ended, planning, then sending what is due.

    run_tick(database_url=…, api_url=…, tokens=…, now=…)

1. Pauses whose date has passed end, and each person is planned a "welcome back".
2. Workspaces whose token Slack refused are tried again (auth.test, hourly); one that works
   again is restarted.
3. Each running workspace is planned (bot/jobs/planning.py): scheduled rounds, check-ins,
   and whatever other planners are registered (bot/jobs/registry.py).
4. Due outbox rows are sent (bot/jobs/sender.py) until none is left or the budget is spent;
   whatever is left waits for the next tick.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_session_factory
from bot.services import checkins, delivery, outbox

from . import registry
from .clock import TickClock
from .db import worker_engine
from .planning import PlanReport, plan_workspace
from .sender import Dispatcher, SendStats
from .slack import classify, make_client
from .summaries import post_due_summaries

logger = logging.getLogger(__name__)

DEFAULT_BUDGET = timedelta(seconds=50)  # a tick a minute, finished before the next


@dataclass
class TickReport:
    now: datetime
    welcomed: int = 0
    restarted: list[str] = field(default_factory=list)
    plans: list[PlanReport] = field(default_factory=list)
    sending: SendStats = field(default_factory=SendStats)
    seconds: float = 0.0
    planning_seconds: float = 0.0
    summaries: int = 0

    @property
    def sent(self) -> int:
        return self.sending["sent"] + self.sending["found_after_crash"]


def worker_id() -> str:
    """A lease owner name unique to this tick: host, process and a random part."""
    return f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def run_tick(
    *,
    database_url: str | None = None,
    engine: Engine | None = None,
    api_url: str,
    tokens: Callable[[str], str],
    now: datetime,
    speed: float = 1.0,
    origin: float | None = None,
    budget: timedelta = DEFAULT_BUDGET,
    threads: int = 8,
    owner: str | None = None,
) -> TickReport:
    """One tick at `now`. `tokens(team_id)` gives each workspace's bot token. `speed` and
    `origin` run the tick on a faster clock (see bot/jobs/clock.py).

    The worker process passes its one `engine` (built by `worker_engine`, kept for its whole
    life); a one-off tick (tests, benchmarks) passes a `database_url` and gets an engine of
    its own, disposed at the end."""
    registry.load()
    started = time.monotonic()
    clock = TickClock(now, speed=speed, origin=origin)
    owns_engine = engine is None
    if engine is None:
        if database_url is None:
            raise TypeError("run_tick needs an engine or a database_url")
        engine = worker_engine(database_url)
    session_factory = make_session_factory(engine)
    clients: dict[str, WebClient] = {}

    def client_for(team_id: str) -> WebClient:
        if team_id not in clients:
            clients[team_id] = make_client(tokens(team_id), api_url)
        return clients[team_id]

    report = TickReport(now=now)
    try:
        with session_factory.begin() as session:
            delivery.ensure_workspace_rows(session=session)
            report.welcomed = len(checkins.end_pauses(session=session, now=clock.now()))
        report.restarted = _retry_stopped(session_factory, client_for, clock.now())
        with session_factory.begin() as session:
            running = delivery.active_workspaces(session=session)
        planning = time.monotonic()
        for team_id in running:
            report.plans.append(plan_workspace(session_factory, team_id, clock.now()))
        report.planning_seconds = time.monotonic() - planning
        with session_factory.begin() as session:
            due = [t for t in outbox.teams_with_due(session=session, now=clock.now()) if t in set(running)]
        dispatcher = Dispatcher(
            session_factory=session_factory,
            client_for=client_for,
            clock=clock,
            owner=owner or worker_id(),
            budget=budget,
            threads=threads,
        )
        report.sending = dispatcher.run(due)
        # Scheduled team summaries read a channel's members when they are made, so they are
        # posted here, with a Slack client, rather than planned as outbox rows.
        report.summaries = post_due_summaries(session_factory, client_for, clock.now())
    finally:
        if owns_engine:
            engine.dispose()
    report.seconds = time.monotonic() - started
    logger.info(
        "tick at %s: %d welcomed back, %d check-ins planned, %s in %.1fs",
        now.isoformat(),
        report.welcomed,
        sum(p.checkins for p in report.plans),
        dict(report.sending.counts) or "nothing to send",
        report.seconds,
    )
    return report


def _retry_stopped(
    session_factory: sessionmaker[Session], client_for: Callable[[str], WebClient], now: datetime
) -> list[str]:
    with session_factory.begin() as session:
        stopped = delivery.stopped_workspaces_to_retry(session=session, now=now)
    restarted = []
    for team_id in stopped:
        try:
            client_for(team_id).auth_test()
            works = True
        except Exception as error:
            works = False
            logger.error("workspace %s stays stopped: Slack still says %s", team_id, classify(error).error)
        with session_factory.begin() as session:
            delivery.mark_auth_checked(session=session, team_id=team_id, now=now)
            if works:
                delivery.restart_workspace(session=session, team_id=team_id)
        if works:
            logger.warning("Slack accepts the token for workspace %s again: sending restarted", team_id)
            restarted.append(team_id)
    return restarted
