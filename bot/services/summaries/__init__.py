"""Managers' team summaries: opt-in totals for a team, safe to post in a channel.

By concern:
- publishing.py: who may post, and publishing one summary (the entry point);
- figures.py: what each figure may say (threshold, bands, subtraction checks), and the action;
- counts.py: the raw counts, loaded once per summary;
- snapshots.py: the record of what earlier summaries said, checked against and pruned;
- fingerprints.py: one-way fingerprints of the people a summary counted;
- schedule.py: which subscribed channels are due a summary.

The names callers use are re-exported here, so `summaries.publish_summary(...)` reads as one API.
"""

from bot.services.summaries.counts import MET_WINDOW
from bot.services.summaries.figures import (
    DERIVED,
    FIGURES,
    IN_PAIR,
    NOT_PAUSED,
    OPTED_IN,
    PAIRS_MET,
    PAUSED,
    UNPAIRED,
    Figure,
    FigureKind,
    HiddenReason,
)
from bot.services.summaries.fingerprints import fingerprint, pack, unpack
from bot.services.summaries.publishing import (
    NOT_A_MANAGER,
    AlreadyPosted,
    Scope,
    ScopeKind,
    TeamSummary,
    may_post_summary,
    publish_summary,
)
from bot.services.summaries.schedule import DueSummary, delivery_key, due_summaries, record_undeliverable
from bot.services.summaries.snapshots import LOOKBACK, forget_claim, mark_posted, prune_snapshots

__all__ = [
    "DERIVED",
    "FIGURES",
    "IN_PAIR",
    "LOOKBACK",
    "MET_WINDOW",
    "NOT_A_MANAGER",
    "NOT_PAUSED",
    "OPTED_IN",
    "PAIRS_MET",
    "PAUSED",
    "UNPAIRED",
    "AlreadyPosted",
    "DueSummary",
    "Figure",
    "FigureKind",
    "HiddenReason",
    "Scope",
    "ScopeKind",
    "TeamSummary",
    "delivery_key",
    "due_summaries",
    "fingerprint",
    "forget_claim",
    "mark_posted",
    "may_post_summary",
    "pack",
    "prune_snapshots",
    "publish_summary",
    "record_undeliverable",
    "unpack",
]
