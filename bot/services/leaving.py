"""Leaving the program: stop everything for the person, kindly for their peer.

Only what matching needs to never re-pair people stays: the one-way PastPairing hashes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.services import outbox, profiles
from bot.services.matching.announce import end_pairing
from bot.services.matching.pairs import EndedPair, remove_from_waitlist


def leave_program(*, session: Session, team_id: str, user_id: str, now: datetime) -> EndedPair | None:
    profiles.require_profile(session=session, team_id=team_id, user_id=user_id)
    ended = end_pairing(session=session, team_id=team_id, user_id=user_id, now=now, reason="left")
    outbox.cancel_pending(session=session, team_id=team_id, reason="left", recipient=user_id)
    remove_from_waitlist(session=session, team_id=team_id, user_id=user_id)
    profiles.leave(session=session, team_id=team_id, user_id=user_id, now=now)
    return ended
