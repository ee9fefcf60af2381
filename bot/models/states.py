"""Every stored state as a StrEnum, and the column type that keeps the database to it.

A state lives in exactly one enum here; services and ui compare against its members, never
against a string literal. The column type stores the plain value (so the database stays
readable and exports stay JSON) and adds a CHECK constraint, so a mistyped state can't reach
a row even through raw SQL. Adding a member needs a migration that widens that constraint.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum


class OutboxStatus(StrEnum):
    PENDING = "pending"  # planned or being sent
    SENT = "sent"
    CANCELLED = "cancelled"  # no longer true or wanted (a pause, a departure, an answer)
    FAILED = "failed"  # Slack refused it for good, or it kept failing


class PairStatus(StrEnum):
    NEW = "new"  # matched, ground rules not agreed yet
    ACTIVE = "active"  # rules agreed: check-ins run
    ENDED = "ended"


class RulesStatus(StrEnum):
    PENDING = "pending"  # waiting for the other member(s)
    AGREED = "agreed"  # in force (until a newer version is agreed)
    SUPERSEDED = "superseded"


class CheckinOutcome(StrEnum):
    MET = "met"
    SKIPPED = "skipped"
    MISSED = "missed"  # its period ended without an answer that closed it
    PAUSED = "paused"  # a member paused while it was open


class CheckinAnswerKind(StrEnum):
    MET = "met"
    NOT_YET = "not_yet"  # may still change
    SKIP = "skip"


class Escalation(StrEnum):
    NONE = "none"
    GENTLE = "gentle"  # a quiet pair's gentle nudge
    OFFER = "offer"  # the offer to keep going, pause or rematch


class QuietDecision(StrEnum):
    KEEP_GOING = "keep_going"
    PAUSE = "pause"
    REMATCH = "rematch"


class SummaryStatus(StrEnum):
    CLAIMED = "claimed"  # being posted
    POSTED = "posted"
    FAILED = "failed"


def state_type(enum: type[StrEnum], name: str, *, length: int = 16) -> Enum:
    """The column type of a state: its value as VARCHAR(length), checked by the database.

    `name` names the CHECK constraint (ck_<table>_<name> under the naming convention)."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )
