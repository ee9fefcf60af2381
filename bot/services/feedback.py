"""Feedback between peers: given in a modal, delivered by DM to the peer only.

Privacy. Feedback is readable by exactly two people, its author and its recipient. Every
read in this module takes the reader's user id and returns nothing (or refuses) for anyone
else; there is deliberately no function that reads feedback without a reader. Managers,
admins and summaries only ever get counts (`exchange_counts`).

Once per check-in. Each person gives each peer one piece of feedback per check-in (the one
whose nudge they answered, else the pair's newest). Until it is delivered they can change
it, and the one message carries their latest words; after, a second one is refused kindly.
A unique constraint keeps it so when two processes store the same submission at once.

One-sidedness. Peer mentoring works when both give and receive. When someone has given a
peer feedback `ONE_SIDED_AFTER` times and never had any back from them, that quiet side
gets one gentle nudge (once per pair and direction — a nudge, not a nag).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.ids import FeedbackField
from bot.models import Checkin, Feedback, OutboxMessage, Pair
from bot.models.states import OutboxStatus
from bot.services import outbox, profiles
from bot.services.errors import DomainError, InvalidInput, NotAllowed
from bot.services.matching.pairs import open_pairs_of
from bot.services.rows import insert_for
from bot.services.working_hours import hours_for, next_working_time

# Outbox kinds planned here.
FEEDBACK = "feedback"
FEEDBACK_BALANCE = "feedback_balance"

MAX_DID_WELL = 1000
MAX_SUGGESTION = 1000
MAX_ASK_NEXT = 500
ONE_SIDED_AFTER = 2
# The same words submitted again this soon are one submission (a double click on Send, a
# client sending twice), answered as the first was even if it was delivered meanwhile.
SAME_SUBMISSION_WINDOW = timedelta(minutes=10)
# What makes feedback one: its author, its recipient and the check-in it belongs to.
SLOT_COLUMNS = ("pair_id", "author_id", "recipient_id", "checkin_number")

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


class Given(StrEnum):
    NEW = "new"  # stored, its delivery planned
    EDITED = "edited"  # replaced the words of the feedback still waiting to be delivered
    REPEATED = "repeated"  # the same words again: nothing changed


NEW, EDITED, REPEATED = Given.NEW, Given.EDITED, Given.REPEATED


@dataclass(frozen=True)
class GivenFeedback:
    feedback_id: int
    recipient_id: str
    # When it is (or was) due to reach the recipient.
    delivery_at: datetime
    # The recipient has given this author feedback before: the exchange goes both ways.
    reciprocal: bool
    outcome: Given
    # A repeat of feedback that has already reached them.
    delivered: bool = False


class FeedbackAlreadySent(DomainError):
    """This check-in's feedback to this peer has gone (`sent_at`) or is being sent right now
    (`on_its_way`), so it can't be changed and nothing more is sent."""

    def __init__(self, *, recipient_id: str, sent_at: datetime | None, on_its_way: bool) -> None:
        super().__init__(
            "You've already given your peer feedback for this check-in, so nothing new was sent."
        )
        self.recipient_id = recipient_id
        self.sent_at = sent_at
        self.on_its_way = on_its_way


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
    """Store feedback and plan its delivery to the recipient, in their working hours.

    One per author, recipient and check-in. Given again before it is delivered, the new
    words replace the old (one message, the latest words); after, it is refused with
    `FeedbackAlreadySent`. The same words again within `SAME_SUBMISSION_WINDOW` are the same
    submission (a double click on Send) and are answered as the first was.
    """
    pair = _open_pair_of(session, team_id, author_id, pair_id)
    if recipient_id == author_id or recipient_id not in {m.user_id for m in pair.members}:
        raise NotAllowed("You can give feedback to your own peer only, so nothing was sent.")
    slot = _Slot(team_id, pair.id, author_id, recipient_id, _checkin_of(session, pair.id, checkin_number))
    # Insert first and look after: two processes storing the same submission at once both
    # get past any look, and the unique constraint is what keeps them to one row.
    insert = insert_for(session)
    feedback_id = session.scalar(
        insert(Feedback)
        .values(
            team_id=team_id,
            pair_id=pair.id,
            checkin_number=slot.checkin_number,
            author_id=author_id,
            recipient_id=recipient_id,
            did_well=feedback.did_well,
            suggestion=feedback.suggestion,
            ask_next=feedback.ask_next,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=list(SLOT_COLUMNS))
        .returning(Feedback.id)
    )
    if feedback_id is None:
        return _given_again(session, slot, feedback, now)
    hours = hours_for(session=session, team_id=team_id)
    recipient = profiles.get_profile(session=session, team_id=team_id, user_id=recipient_id)
    delivery_at = next_working_time(now, tz=recipient.tz if recipient else "UTC", hours=hours)
    outbox.plan(
        session=session,
        team_id=team_id,
        kind=FEEDBACK,
        pair_id=pair.id,
        period=str(feedback_id),
        recipient=recipient_id,
        due_at=delivery_at,
        now=now,
        payload={"feedback_id": feedback_id},
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
    return GivenFeedback(feedback_id, recipient_id, delivery_at, reciprocal=received > 0, outcome=NEW)


def feedback_so_far(
    *,
    session: Session,
    team_id: str,
    pair_id: int,
    author_id: str,
    recipient_id: str,
    now: datetime,
    checkin_number: int | None = None,
) -> ValidFeedback | None:
    """What the author already wrote to this peer for this check-in and may still change
    (to fill the modal with), None when nothing yet; `FeedbackAlreadySent` once it is on
    its way or delivered, so nobody types words that can't be sent."""
    checkin = _checkin_of(session, pair_id, checkin_number)
    row = session.scalar(
        select(Feedback).where(*_Slot(team_id, pair_id, author_id, recipient_id, checkin).where())
    )
    if row is None:
        return None
    message = outbox.find(session=session, team_id=team_id, key=_message_key(row))
    if not _changeable(message, now):
        raise _already_sent(row, message)
    return ValidFeedback(row.did_well, row.suggestion, row.ask_next)


@dataclass(frozen=True)
class _Slot:
    """Where one piece of feedback may be: an author, a recipient, a check-in of a pair."""

    team_id: str
    pair_id: int
    author_id: str
    recipient_id: str
    checkin_number: int

    def where(self) -> tuple[Any, ...]:
        return (
            Feedback.team_id == self.team_id,
            Feedback.pair_id == self.pair_id,
            Feedback.author_id == self.author_id,
            Feedback.recipient_id == self.recipient_id,
            Feedback.checkin_number == self.checkin_number,
        )


def _checkin_of(session: Session, pair_id: int, given: int | None) -> int:
    """The check-in feedback belongs to: the one named (by a nudge's button) when the pair
    has it, else the pair's newest, 0 before the first. A number the pair never had (an
    old or altered button) opens no slot of its own."""
    numbers = select(Checkin.number).where(Checkin.pair_id == pair_id)
    if given is not None and session.scalar(numbers.where(Checkin.number == given)) is not None:
        return given
    return (
        session.scalar(select(func.coalesce(func.max(Checkin.number), 0)).where(Checkin.pair_id == pair_id))
        or 0
    )


def _given_again(session: Session, slot: _Slot, feedback: ValidFeedback, now: datetime) -> GivenFeedback:
    """The slot already has feedback: change it while its message waits, else refuse."""
    row = session.scalar(select(Feedback).where(*slot.where()).execution_options(populate_existing=True))
    if row is None:  # the row that blocked the insert was erased meanwhile
        raise DomainError("Your feedback could not be saved just now, so nothing was sent. Please try again.")
    key = _message_key(row)
    # Hold the waiting message first, then compare: a second submission racing this one
    # waits here and compares with what this one leaves.
    held = outbox.hold_pending(session=session, team_id=slot.team_id, key=key, now=now)
    session.refresh(row)
    same = (row.did_well, row.suggestion, row.ask_next) == (
        feedback.did_well,
        feedback.suggestion,
        feedback.ask_next,
    )
    message = outbox.find(session=session, team_id=slot.team_id, key=key)
    if message is None:
        raise _already_sent(row, message)
    received = exchange_counts(session=session, team_id=slot.team_id, pair_id=slot.pair_id).get(
        (row.recipient_id, row.author_id), 0
    )
    answer = partial(GivenFeedback, row.id, row.recipient_id, message.due_at, reciprocal=received > 0)
    if held and not same:
        row.did_well, row.suggestion, row.ask_next = feedback.did_well, feedback.suggestion, feedback.ask_next
        row.edited_at = now
        session.flush()
        return answer(outcome=EDITED)
    if held or (same and now - (row.edited_at or row.created_at) <= SAME_SUBMISSION_WINDOW):
        return answer(outcome=REPEATED, delivered=message.status == OutboxStatus.SENT)
    raise _already_sent(row, message)


def _message_key(row: Feedback) -> str:
    return outbox.outbox_key(FEEDBACK, row.pair_id, str(row.id), row.recipient_id)


def _changeable(message: OutboxMessage | None, now: datetime) -> bool:
    """Whether a feedback message still waits with nobody sending it (see outbox.hold_pending)."""
    return (
        message is not None
        and message.status == OutboxStatus.PENDING
        and not message.in_doubt
        and (message.lease_until is None or message.lease_until <= now)
    )


def _already_sent(row: Feedback, message: OutboxMessage | None) -> FeedbackAlreadySent:
    sent_at = message.sent_at if message is not None and message.status == OutboxStatus.SENT else None
    on_its_way = message is not None and message.status == OutboxStatus.PENDING
    return FeedbackAlreadySent(recipient_id=row.recipient_id, sent_at=sent_at, on_its_way=on_its_way)


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
