"""Feedback between peers: given in a modal, delivered by DM to the peer only.

Privacy. Feedback is readable by exactly two people, its author and its recipient. Every
read in this module takes the reader's user id and returns nothing (or refuses) for anyone
else; there is deliberately no function that reads feedback without a reader. Managers,
admins and summaries only ever get counts (`exchange_counts`).

One-sidedness. Peer mentoring works when both give and receive. When someone has given a
peer feedback `ONE_SIDED_AFTER` times and never had any back from them, that quiet side
gets one gentle nudge (once per pair and direction — a nudge, not a nag).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.ids import FeedbackField
from bot.models import Feedback, Pair
from bot.services import outbox, profiles
from bot.services.errors import DomainError, InvalidInput, NotAllowed
from bot.services.matching.pairs import open_pairs_of
from bot.services.working_hours import hours_for, next_working_time

# Outbox kinds planned here.
FEEDBACK = "feedback"
FEEDBACK_BALANCE = "feedback_balance"

MAX_DID_WELL = 1000
MAX_SUGGESTION = 1000
MAX_ASK_NEXT = 500
ONE_SIDED_AFTER = 2

NOT_YOURS = "That feedback isn't yours to read."


@dataclass(frozen=True)
class FeedbackAnswers:
    did_well: str
    suggestion: str
    ask_next: str


@dataclass(frozen=True)
class ValidFeedback:
    did_well: str
    suggestion: str
    ask_next: str


@dataclass(frozen=True)
class FeedbackView:
    """One piece of feedback, as its author or recipient may see it."""

    feedback_id: int
    pair_id: int
    author_id: str
    recipient_id: str
    did_well: str
    suggestion: str
    ask_next: str
    created_at: datetime
    checkin_number: int | None


@dataclass(frozen=True)
class GivenFeedback:
    feedback_id: int
    recipient_id: str
    delivery_at: datetime
    # The recipient has given this author feedback before: the exchange goes both ways.
    reciprocal: bool


@dataclass(frozen=True)
class FeedbackTarget:
    """Who a person can give feedback to in their pair (one peer, or two in a trio)."""

    pair_id: int
    author_id: str
    peer_ids: tuple[str, ...]


def validate_feedback(answers: FeedbackAnswers) -> ValidFeedback:
    errors: dict[str, str] = {}
    did_well = _clean(answers.did_well, MAX_DID_WELL, FeedbackField.DID_WELL, errors)
    suggestion = _clean(answers.suggestion, MAX_SUGGESTION, FeedbackField.SUGGESTION, errors)
    ask_next = _clean(answers.ask_next, MAX_ASK_NEXT, FeedbackField.ASK_NEXT, errors)
    if FeedbackField.DID_WELL not in errors and not did_well:
        errors[FeedbackField.DID_WELL] = "Name one thing your peer did well."
    if FeedbackField.SUGGESTION not in errors and not suggestion:
        errors[FeedbackField.SUGGESTION] = "Offer one suggestion, however small."
    if errors:
        raise InvalidInput(errors)
    return ValidFeedback(did_well, suggestion, ask_next)


def _clean(value: str, limit: int, name: str, errors: dict[str, str]) -> str:
    text = value.strip()
    if len(text) > limit:
        errors[name] = f"Keep it under {limit} characters (it has {len(text)})."
    return text


def feedback_target(
    *, session: Session, team_id: str, user_id: str, pair_id: int | None = None
) -> FeedbackTarget:
    """The person's pair and peers, for the feedback button or command; refused kindly when
    they have no open pair (or `pair_id` is not theirs)."""
    pair = _open_pair_of(session, team_id, user_id, pair_id)
    return FeedbackTarget(pair.id, user_id, tuple(m.user_id for m in pair.members if m.user_id != user_id))


def give_feedback(
    *,
    session: Session,
    team_id: str,
    pair_id: int,
    author_id: str,
    recipient_id: str,
    feedback: ValidFeedback,
    now: datetime,
    checkin_number: int | None = None,
) -> GivenFeedback:
    """Store feedback and plan its delivery to the recipient, in their working hours."""
    pair = _open_pair_of(session, team_id, author_id, pair_id)
    if recipient_id == author_id or recipient_id not in {m.user_id for m in pair.members}:
        raise NotAllowed("You can give feedback to your own peer only, so nothing was sent.")
    row = Feedback(
        team_id=team_id,
        pair_id=pair.id,
        checkin_number=checkin_number,
        author_id=author_id,
        recipient_id=recipient_id,
        did_well=feedback.did_well,
        suggestion=feedback.suggestion,
        ask_next=feedback.ask_next,
        created_at=now,
    )
    session.add(row)
    session.flush()
    hours = hours_for(session=session, team_id=team_id)
    recipient = profiles.get_profile(session=session, team_id=team_id, user_id=recipient_id)
    delivery_at = next_working_time(now, tz=recipient.tz if recipient else "UTC", hours=hours)
    outbox.plan(
        session=session,
        team_id=team_id,
        kind=FEEDBACK,
        pair_id=pair.id,
        period=str(row.id),
        recipient=recipient_id,
        due_at=delivery_at,
        now=now,
        payload={"feedback_id": row.id},
    )
    counts = exchange_counts(session=session, team_id=team_id, pair_id=pair.id)
    given = counts.get((author_id, recipient_id), 0)
    received = counts.get((recipient_id, author_id), 0)
    if given >= ONE_SIDED_AFTER and received == 0 and recipient is not None:
        # Once per direction: the period names the giver, so a third gift plans nothing new.
        outbox.plan(
            session=session,
            team_id=team_id,
            kind=FEEDBACK_BALANCE,
            pair_id=pair.id,
            period=f"from-{author_id}",
            recipient=recipient_id,
            due_at=delivery_at,
            now=now,
            payload={"giver": author_id},
        )
    return GivenFeedback(row.id, recipient_id, delivery_at, reciprocal=received > 0)


def read_feedback(*, session: Session, team_id: str, feedback_id: int, reader_id: str) -> FeedbackView:
    """One piece of feedback, for its author or its recipient only."""
    row = session.scalar(select(Feedback).where(Feedback.id == feedback_id, Feedback.team_id == team_id))
    if row is None or reader_id not in (row.author_id, row.recipient_id):
        raise NotAllowed(NOT_YOURS)
    return _view(row)


def feedback_for(*, session: Session, team_id: str, reader_id: str) -> list[FeedbackView]:
    """Everything the reader wrote or received, oldest first (for "my feedback" and export)."""
    rows = session.scalars(
        select(Feedback)
        .where(
            Feedback.team_id == team_id,
            or_(Feedback.author_id == reader_id, Feedback.recipient_id == reader_id),
        )
        .order_by(Feedback.created_at, Feedback.id)
    )
    return [_view(r) for r in rows]


def exchange_counts(*, session: Session, team_id: str, pair_id: int) -> dict[tuple[str, str], int]:
    """(giver, receiver) → how many times, within one pair. Counts only, no words."""
    rows = session.execute(
        select(Feedback.author_id, Feedback.recipient_id, func.count())
        .where(Feedback.team_id == team_id, Feedback.pair_id == pair_id)
        .group_by(Feedback.author_id, Feedback.recipient_id)
    ).all()
    return {(author, recipient): count for author, recipient, count in rows}


def one_sided(*, session: Session, team_id: str, pair_id: int) -> list[tuple[str, str]]:
    """(giver, quiet side) for every direction where feedback only flows one way."""
    counts = exchange_counts(session=session, team_id=team_id, pair_id=pair_id)
    return sorted(
        (giver, quiet)
        for (giver, quiet), given in counts.items()
        if given >= ONE_SIDED_AFTER and counts.get((quiet, giver), 0) == 0
    )


def _open_pair_of(session: Session, team_id: str, user_id: str, pair_id: int | None) -> Pair:
    query = open_pairs_of(team_id, user_id).limit(1)
    if pair_id is not None:
        query = query.where(Pair.id == pair_id)
    pair = session.scalar(query)
    if pair is not None:
        return pair
    if pair_id is not None:
        raise DomainError("That pairing has ended, so feedback can't be sent through it any more.")
    raise DomainError("You don't have a peer right now, so there's nobody to give feedback to yet.")


def _view(row: Feedback) -> FeedbackView:
    return FeedbackView(
        feedback_id=row.id,
        pair_id=row.pair_id,
        author_id=row.author_id,
        recipient_id=row.recipient_id,
        did_well=row.did_well,
        suggestion=row.suggestion,
        ask_next=row.ask_next,
        created_at=row.created_at,
        checkin_number=row.checkin_number,
    )
