"""SQLAlchemy 2 typed models. Every row is scoped by Slack team id."""

from bot.models.audit import AuditLog
from bot.models.base import Base, UTCDateTime
from bot.models.checkins import Checkin, CheckinAnswer
from bot.models.delivery import Recipient, WorkspaceDelivery
from bot.models.feedback import Feedback
from bot.models.ground_rules import RulesAgreement, RulesProposal
from bot.models.outbox import OutboxMessage
from bot.models.pairing import MatchRound, Pair, PairMember, PastPairing, Waitlist
from bot.models.profile import Profile
from bot.models.program import ProgramSettings
from bot.models.seen_events import SeenEvent
from bot.models.summaries import SummarySnapshot, SummarySubscription
from bot.models.workspace import Workspace

__all__ = [
    "AuditLog",
    "Base",
    "Checkin",
    "CheckinAnswer",
    "Feedback",
    "MatchRound",
    "OutboxMessage",
    "Pair",
    "PairMember",
    "PastPairing",
    "Profile",
    "ProgramSettings",
    "Recipient",
    "RulesAgreement",
    "RulesProposal",
    "SeenEvent",
    "SummarySnapshot",
    "SummarySubscription",
    "UTCDateTime",
    "Waitlist",
    "Workspace",
    "WorkspaceDelivery",
]
