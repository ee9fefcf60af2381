"""Planning one workspace: what has fallen due goes into the outbox.

Each workspace is planned under its planning lock (bot/services/delivery.lock_for_planning):
on PostgreSQL a second worker skips a workspace another is planning; on SQLite the worker's
`BEGIN IMMEDIATE` makes them take turns. Either way planning is idempotent — check-ins are
numbered per pair and outbox rows uniquely keyed — so running it every minute, or twice at
once, adds nothing the first run did not. Check-ins are planned a few hundred pairs per
transaction, so a big workspace never holds the lock for long and a crash loses little.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.services import checkins, delivery

from .registry import PLANNERS

logger = logging.getLogger(__name__)

PAIRS_PER_TRANSACTION = 300


@dataclass
class PlanReport:
    team_id: str
    skipped: bool = False
    checkins: int = 0
    prompts: int = 0


def plan_workspace(session_factory: sessionmaker[Session], team_id: str, now: datetime) -> PlanReport:
    report = PlanReport(team_id)
    with session_factory.begin() as session:
        if not delivery.lock_for_planning(session=session, team_id=team_id, now=now):
            report.skipped = True
            return report
        for name, planner in PLANNERS.items():
            # One planner's failure (say, a bug in a new one) must not stop check-ins.
            try:
                with session.begin_nested():
                    planner(session, team_id, now)
            except Exception:
                logger.exception("planner %r failed for workspace %s", name, team_id)
    after = 0
    while True:
        with session_factory.begin() as session:
            if not delivery.lock_for_planning(session=session, team_id=team_id, now=now):
                report.skipped = True
                break
            summary = checkins.plan_checkins(
                session=session, team_id=team_id, now=now, after_pair_id=after, limit=PAIRS_PER_TRANSACTION
            )
        report.checkins += summary.checkins
        report.prompts += summary.prompts
        if summary.last_pair_id is None:
            break
        after = summary.last_pair_id
    return report
