"""Scheduled matching rounds: run on the program's cadence, then introduce each new pair.

The round runs inside the workspace's planning transaction, together with moving
`next_round_at` on and planning the introductions in the outbox, so a crash either loses
the whole round (it runs again next tick) or none of it, and two workers can't both run it.

Introductions go to each pair's group DM through the outbox (exactly once, like every
message), planned and rendered exactly as for a round an admin runs from Slack
(bot/services/matching/announce.py, bot/ui/matching.py).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.services.matching.announce import INTRO, WAITLISTED, plan_round_announcements
from bot.services.matching.intro import intro_for
from bot.services.matching.rounds import new_seed, run_round
from bot.services.outbox import OutboxRow
from bot.services.round_schedule import advance_round, round_due
from bot.ui.matching import intro_message, waitlisted_message

from .registry import Content, MessageKind, register_kind, register_planner

logger = logging.getLogger(__name__)


def plan_scheduled_round(session: Session, team_id: str, now: datetime) -> None:
    program = round_due(session=session, team_id=team_id, now=now)
    if program is None:
        return
    result = run_round(
        session=session,
        team_id=team_id,
        now=now,
        seed=new_seed(),
        forbid_same_team=program.forbid_same_team,
        odd_person="waitlist" if program.odd_person == "waitlist" else "trio",
        trigger="schedule",
    )
    upcoming = advance_round(session=session, team_id=team_id, now=now)
    plan_round_announcements(session=session, team_id=team_id, result=result, now=now)
    logger.info(
        "scheduled round in %s: %d pairs, %d waiting; next round %s",
        team_id,
        len(result.pairs),
        len(result.waitlisted),
        upcoming.isoformat() if upcoming else "not scheduled",
    )


def render_pair_intro(session: Session, row: OutboxRow, now: datetime) -> Content | None:
    """The pair's introduction in their group DM; nothing once the pair has ended."""
    if row.pair_id is None:
        return None
    intro = intro_for(session=session, team_id=row.team_id, pair_id=row.pair_id)
    return Content(*intro_message(intro)) if intro else None


def render_waitlisted(session: Session, row: OutboxRow, now: datetime) -> Content | None:
    return Content(*waitlisted_message())


register_planner("matching_rounds", plan_scheduled_round)
register_kind(MessageKind(INTRO, render_pair_intro))
register_kind(MessageKind(WAITLISTED, render_waitlisted))
