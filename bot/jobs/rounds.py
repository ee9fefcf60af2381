"""Scheduled matching rounds: run on the program's cadence, then introduce each new pair.

The round runs inside the workspace's planning transaction, together with moving
`next_round_at` on and planning the introductions in the outbox, so a crash either loses
the whole round (it runs again next tick) or none of it, and two workers can't both run it.

Introductions go to each pair's group DM through the outbox (exactly once, like every
message). `render_pair_intro` builds a plain introduction; it is the call site for the
intro builder the admin-run round uses, once that lives in bot/ui (see the lead's notes).
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from bot.ids import PairAction
from bot.services import outbox
from bot.services.matching.pairs import current_pair
from bot.services.matching.rounds import new_seed, run_round
from bot.services.outbox import OutboxRow
from bot.services.round_schedule import advance_round, round_due
from bot.ui.kit import actions, button, context, escape, mention, section, to_dicts

from .registry import Content, MessageKind, register_kind, register_planner

logger = logging.getLogger(__name__)

INTRO = "pair_intro"
WAITLISTED = "round_waitlisted"


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
    for pair in result.pairs:
        outbox.plan(
            session=session,
            team_id=team_id,
            kind=INTRO,
            pair_id=pair.pair_id,
            period="intro",
            recipient=",".join(pair.user_ids),
            due_at=now,
            now=now,
        )
    for user_id in result.waitlisted:
        outbox.plan(
            session=session,
            team_id=team_id,
            kind=WAITLISTED,
            period=str(result.round_id),
            recipient=user_id,
            due_at=now,  # the sender waits for their working hours
            now=now,
        )
    logger.info(
        "scheduled round in %s: %d pairs, %d waiting; next round %s",
        team_id,
        len(result.pairs),
        len(result.waitlisted),
        upcoming.isoformat() if upcoming else "not scheduled",
    )


def render_pair_intro(session: Session, row: OutboxRow, now: datetime) -> Content | None:
    """The pair's introduction in their group DM. Call site for the shared intro builder."""
    members = row.recipient.split(",")
    pair = current_pair(session=session, team_id=row.team_id, user_id=members[0])
    if pair is None or pair.pair_id != row.pair_id:
        return None
    names = " and ".join(mention(m) for m in pair.user_ids)
    text = f"Meet your peer-mentoring pair: {names}"
    blocks: list[Block] = [
        section(f":wave: *{text}!*"),
        section(f"*Why you were matched:* {escape(pair.explanation)}"),
        section(
            "First step: agree your ground rules (how often and how you'll meet, what stays between you)."
        ),
        actions(
            button(
                "Set our ground rules", PairAction.SET_GROUND_RULES, value=str(pair.pair_id), style="primary"
            )
        ),
        context("You each teach and learn. Check-ins follow the rhythm you agree."),
    ]
    return Content(text, to_dicts(blocks))


def render_waitlisted(session: Session, row: OutboxRow, now: datetime) -> Content | None:
    text = "This round had an odd number of people, so you're first in line for the next one."
    return Content(text, to_dicts([section(f":hourglass_flowing_sand: {text} Thank you for your patience.")]))


register_planner("matching_rounds", plan_scheduled_round)
register_kind(MessageKind(INTRO, render_pair_intro, to_person=False))
register_kind(MessageKind(WAITLISTED, render_waitlisted))
