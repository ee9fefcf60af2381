"""The facts bot/services/delivery_policy.decide needs, read from the database.

`recipient_facts` reads one person's profile, whether Slack says they are gone, and their
unprompted messages: those sent in the last eight days (enough for "today" and "this week"
in any time zone) and those still waiting. A group DM (an introduction) counts for each of
its members. A message shown in place of a click (`shown_elsewhere`) was a direct answer and
does not count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from bot.models import OutboxMessage, PairMember
from bot.services import delivery, outbox, profiles
from bot.services.delivery_policy import Program, Recipient, Waiting
from bot.services.matching.announce import INTRO
from bot.services.message_kinds import unprompted_kinds
from bot.services.working_hours import hours_for

SENT_WINDOW = timedelta(days=8)
SHOWN_ELSEWHERE = "shown_elsewhere"


def program_facts(*, session: Session, team_id: str) -> Program:
    return Program(hours=hours_for(session=session, team_id=team_id))


def recipient_facts(*, session: Session, team_id: str, user_id: str, now: datetime) -> Recipient:
    profile = profiles.get_profile(session=session, team_id=team_id, user_id=user_id)
    gone = delivery.recipient_states(session=session, team_id=team_id, user_ids=[user_id])[user_id].gone
    if profile is None:
        return Recipient(opted_in=False, gone=gone)
    kinds = unprompted_kinds()
    to_them = _to(team_id, user_id)
    sent = session.scalars(
        select(OutboxMessage.sent_at).where(
            OutboxMessage.team_id == team_id,
            to_them,
            OutboxMessage.status == outbox.SENT,
            OutboxMessage.kind.in_(kinds),
            OutboxMessage.sent_at >= now - SENT_WINDOW,
            or_(OutboxMessage.last_error.is_(None), OutboxMessage.last_error != SHOWN_ELSEWHERE),
        )
    ).all()
    waiting = session.execute(
        select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.due_at, OutboxMessage.created_at).where(
            OutboxMessage.team_id == team_id,
            to_them,
            OutboxMessage.status == outbox.PENDING,
            OutboxMessage.kind.in_(kinds),
        )
    ).all()
    return Recipient(
        opted_in=True,
        gone=gone,
        paused=profiles.is_paused(profile, now),
        paused_until=profile.paused_until,
        tz=profile.tz,
        sent=tuple(at for at in sent if at is not None),
        waiting=tuple(
            Waiting(row_id, kind, due_at, created_at) for row_id, kind, due_at, created_at in waiting
        ),
    )


def _to(team_id: str, user_id: str) -> ColumnElement[bool]:
    """Messages to this person: their own DMs, and their pairs' introductions."""
    their_pairs = select(PairMember.pair_id).where(
        PairMember.team_id == team_id, PairMember.user_id == user_id
    )
    return or_(
        OutboxMessage.recipient == user_id,
        (OutboxMessage.kind == INTRO) & OutboxMessage.pair_id.in_(their_pairs),
    )
