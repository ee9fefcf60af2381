"""Every kind of message the worker sends, and how it may be delivered: one table.

How a message is *worded* lives with its renderer (bot/jobs/messages.py, rounds.py); how it
is *delivered* lives here, and bot/services/delivery_policy.decide reads it:

- `to_person`: a DM to one person, checked at the last moment (opted in, not gone, not
  paused, in their working hours, within their message budget). False: a channel post or
  a group DM, sent as is.
- `when_paused`: while the recipient is paused, "cancel" the message (a prompt that makes no
  sense during a pause) or "defer" it until they are back (news they must still hear).
- `unprompted`: it is not a direct answer to something the person just did, so it counts
  against their budget (DESIGN.md §5: at most 2 a working day and 4 a week).
- `urgency`: when more is due than the budget allows, the least urgent waits first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from bot.services.checkins import (
    CHECKIN,
    FEEDBACK_NUDGE,
    OFFER,
    PAIR_ENDED,
    PEER_PAUSED,
    REMINDER,
    WELCOME_BACK,
)
from bot.services.delivery import PEER_GONE
from bot.services.feedback import FEEDBACK, FEEDBACK_BALANCE
from bot.services.matching.announce import INTRO, WAITLISTED


class WhenPaused(StrEnum):
    CANCEL = "cancel"
    DEFER = "defer"


class Urgency(IntEnum):
    NUDGE = 1  # a push to do something optional: waits first
    FOLLOW_UP = 2  # follows up on something already asked
    NEWS = 3  # something the person should know
    PAIR = 4  # what the pairing runs on: check-ins, a peer's words, a pairing that ended
    INTRO = 5  # a new pair meeting for the first time


@dataclass(frozen=True)
class KindPolicy:
    name: str
    to_person: bool = True
    when_paused: WhenPaused = WhenPaused.CANCEL
    unprompted: bool = True
    urgency: Urgency = Urgency.FOLLOW_UP


_DEFINED = (
    KindPolicy(INTRO, to_person=False, urgency=Urgency.INTRO),
    KindPolicy(CHECKIN, urgency=Urgency.PAIR),
    # Words from a peer, and news about the pair, wait for someone who is paused.
    KindPolicy(FEEDBACK, when_paused=WhenPaused.DEFER, urgency=Urgency.PAIR),
    KindPolicy(PAIR_ENDED, when_paused=WhenPaused.DEFER, urgency=Urgency.PAIR),
    KindPolicy(PEER_GONE, when_paused=WhenPaused.DEFER, urgency=Urgency.PAIR),
    KindPolicy(WAITLISTED, urgency=Urgency.NEWS),
    KindPolicy(WELCOME_BACK, urgency=Urgency.NEWS),
    KindPolicy(PEER_PAUSED, urgency=Urgency.NEWS),
    KindPolicy(REMINDER, urgency=Urgency.FOLLOW_UP),
    KindPolicy(OFFER, urgency=Urgency.NUDGE),
    KindPolicy(FEEDBACK_NUDGE, urgency=Urgency.NUDGE),
    KindPolicy(FEEDBACK_BALANCE, urgency=Urgency.NUDGE),
)
KINDS: dict[str, KindPolicy] = {kind.name: kind for kind in _DEFINED}


def define(policy: KindPolicy) -> KindPolicy:
    """Add a kind (for a new job module). Its name must be new."""
    if policy.name in KINDS and KINDS[policy.name] != policy:
        raise ValueError(f"message kind {policy.name!r} is already defined differently")
    KINDS[policy.name] = policy
    return policy


def policy_of(kind: str) -> KindPolicy | None:
    return KINDS.get(kind)


def unprompted_kinds() -> frozenset[str]:
    return frozenset(name for name, kind in KINDS.items() if kind.unprompted)
