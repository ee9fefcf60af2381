"""The built-in message kinds: check-ins, reminders, the quiet-pair offer, feedback nudges,
feedback itself, the balance nudge, welcome back, and the kind words when a pair ends.
How each is delivered (paused, budget, urgency) is in bot/services/message_kinds.py.

Each renderer reads the current state as the recipient may see it and returns None when
the message has nothing left to say (the question was answered meanwhile, the pair ended):
the row is then cancelled instead of sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.models import Pair
from bot.services import checkins, delivery, feedback
from bot.services.checkins import MET, SKIP, CheckinView
from bot.services.matching.next_step import after_pair_ended
from bot.services.matching.pairs import current_pair
from bot.services.outbox import OutboxRow
from bot.ui.checkins import (
    checkin_message,
    peer_paused_message,
    quiet_offer_message,
    welcome_back_message,
)
from bot.ui.endings import pair_ended_message
from bot.ui.feedback import feedback_balance_message, feedback_nudge_message, feedback_received_message

from .registry import Content, MessageKind, register_kind


def _checkin(session: Session, row: OutboxRow) -> CheckinView | None:
    checkin_id = row.payload.get("checkin_id")
    if not isinstance(checkin_id, int):
        return None
    view = checkins.checkin_view(
        session=session, team_id=row.team_id, checkin_id=checkin_id, viewer_id=row.recipient
    )
    return None if view.pair_ended else view


def render_checkin(session: Session, row: OutboxRow, now: datetime) -> Content | None:
    view = _checkin(session, row)
    # Closed (a newer one is due), answered by this person, or the pair already met: the
    # feedback nudge takes over from the question.
    if view is None or view.outcome is not None or row.recipient in view.answers or view.met:
        return None
    return Content(*checkin_message(view, user_id=row.recipient))


def render_reminder(session: Session, row: OutboxRow, now: datetime) -> Content | None:
    view = _checkin(session, row)
    if view is None or view.outcome is not None or view.met:
        return None
    if view.answers.get(row.recipient) in (MET, SKIP):
        return None
    return Content(*checkin_message(view, user_id=row.recipient, reminder=True))


def render_offer(session: Session, row: OutboxRow, now: datetime) -> Content | None:
    view = _checkin(session, row)
    if view is None or not view.waiting_for_decision:
        return None
    return Content(*quiet_offer_message(view, user_id=row.recipient))


def render_feedback_nudge(session: Session, row: OutboxRow, now: datetime) -> Content | None:
    view = _checkin(session, row)
    if view is None:
        return None
    peers = view.peers_of(row.recipient)
    return Content(*feedback_nudge_message(pair_id=view.pair_id, peer_ids=peers, checkin_number=view.number))


def render_feedback(session: Session, row: OutboxRow, now: datetime) -> Content | None:
    feedback_id = row.payload.get("feedback_id")
    if not isinstance(feedback_id, int):
        return None
    # Read as the recipient: the only person, with its author, who may.
    view = feedback.read_feedback(
        session=session, team_id=row.team_id, feedback_id=feedback_id, reader_id=row.recipient
    )
    if view.recipient_id != row.recipient:
        return None
    return Content(*feedback_received_message(view))


def render_feedback_balance(session: Session, row: OutboxRow, now: datetime) -> Content | None:
    giver = row.payload.get("giver")
    if row.pair_id is None or not isinstance(giver, str):
        return None
    pair = _pair(session, row)
    if pair is None or pair.ended_at is not None:
        return None
    counts = feedback.exchange_counts(session=session, team_id=row.team_id, pair_id=row.pair_id)
    if counts.get((row.recipient, giver), 0) > 0:
        return None  # they have given feedback back meanwhile
    given = counts.get((giver, row.recipient), 0)
    return Content(*feedback_balance_message(pair_id=row.pair_id, giver_id=giver, given=given))


def render_welcome_back(session: Session, row: OutboxRow, now: datetime) -> Content | None:
    pair = current_pair(session=session, team_id=row.team_id, user_id=row.recipient)
    peers = pair.peers_of(row.recipient) if pair else ()
    next_at = checkins.next_checkin_at(session=session, team_id=row.team_id, user_id=row.recipient, now=now)
    return Content(*welcome_back_message(peer_ids=peers, next_checkin_at=next_at))


def render_peer_paused(session: Session, row: OutboxRow, now: datetime) -> Content | None:
    paused_id = row.payload.get("paused")
    if not isinstance(paused_id, str) or _pair(session, row) is None:
        return None
    until = checkins.pair_on_hold_until(session=session, team_id=row.team_id, user_id=row.recipient, now=now)
    if until is None:
        return None  # back already: nothing on hold to tell
    return Content(*peer_paused_message(paused_id=paused_id, until=None if until.year >= 9999 else until))


def render_pair_ended(session: Session, row: OutboxRow, now: datetime) -> Content | None:
    pair = _pair(session, row)
    if pair is None:
        return None
    peers = tuple(m.user_id for m in pair.members if m.user_id != row.recipient)
    ender = row.payload.get("ended_by")
    step = after_pair_ended(session=session, team_id=row.team_id, user_id=row.recipient, now=now)
    return Content(
        *pair_ended_message(
            reason=pair.end_reason or "left",
            ender_id=ender if isinstance(ender, str) else None,
            peer_ids=peers,
            step=step,
        )
    )


def render_peer_gone(session: Session, row: OutboxRow, now: datetime) -> Content | None:
    gone = row.payload.get("gone")
    if not isinstance(gone, str):
        return None
    step = after_pair_ended(session=session, team_id=row.team_id, user_id=row.recipient, now=now)
    return Content(*pair_ended_message(reason="gone", ender_id=gone, peer_ids=(gone,), step=step))


def _pair(session: Session, row: OutboxRow) -> Pair | None:
    if row.pair_id is None:
        return None
    pair = session.scalar(
        select(Pair)
        .where(Pair.id == row.pair_id, Pair.team_id == row.team_id)
        .options(selectinload(Pair.members))
    )
    if pair is None or row.recipient not in {m.user_id for m in pair.members}:
        return None
    return pair


register_kind(MessageKind(checkins.CHECKIN, render_checkin))
register_kind(MessageKind(checkins.REMINDER, render_reminder))
register_kind(MessageKind(checkins.OFFER, render_offer))
register_kind(MessageKind(checkins.FEEDBACK_NUDGE, render_feedback_nudge))
register_kind(MessageKind(checkins.WELCOME_BACK, render_welcome_back))
register_kind(MessageKind(checkins.PEER_PAUSED, render_peer_paused))
register_kind(MessageKind(feedback.FEEDBACK, render_feedback))
register_kind(MessageKind(feedback.FEEDBACK_BALANCE, render_feedback_balance))
register_kind(MessageKind(checkins.PAIR_ENDED, render_pair_ended))
register_kind(MessageKind(delivery.PEER_GONE, render_peer_gone))
