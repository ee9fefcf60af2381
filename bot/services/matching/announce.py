"""What the worker must tell people after matching changes: intros, the waitlist, a pair's end.

Planned into the outbox in the same transaction as the change itself, so a round's pairs and
their introductions are committed together (never a pair without its intro), and the worker
delivers each exactly once, paced to Slack's rate limits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.services import outbox
from bot.services.checkins import PAIR_ENDED, PAIR_PROMPTS
from bot.services.matching.pairs import EndedPair, end_pair
from bot.services.matching.rounds import RoundResult

INTRO = "pair_intro"
WAITLISTED = "round_waitlisted"


def plan_round_announcements(*, session: Session, team_id: str, result: RoundResult, now: datetime) -> None:
    for pair in result.pairs:
        # The group DM's recipients are the pair's members; the worker opens it.
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
            due_at=now,
            now=now,
        )


def end_pairing(
    *, session: Session, team_id: str, user_id: str, now: datetime, reason: str
) -> EndedPair | None:
    """End the person's pair without blame: stop its prompts and tell the others kindly."""
    ended = end_pair(session=session, team_id=team_id, user_id=user_id, now=now, reason=reason)
    if ended is None:
        return None
    outbox.cancel_pending(
        session=session, team_id=team_id, reason="pair_ended", pair_id=ended.pair_id, kinds=PAIR_PROMPTS
    )
    for other in ended.other_user_ids:
        outbox.plan(
            session=session,
            team_id=team_id,
            kind=PAIR_ENDED,
            pair_id=ended.pair_id,
            period=reason,
            recipient=other,
            due_at=now,
            now=now,
            payload={"ended_by": user_id},
        )
    return ended
