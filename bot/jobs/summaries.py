"""Scheduled team summaries: each subscribed channel gets its totals once a week or month.

    post_due_summaries(session_factory, client_for, now)   # once per tick

A summary needs the channel's members from Slack at the moment it is made, so it cannot be
an outbox row rendered without a client; it is posted here instead, with its own
exactly-once claim: the summary's record (a snapshot keyed by subscription and period,
unique) is committed *before* the post. A second worker finds the claim and skips. If Slack
certainly did not take the message (an error answer, a 429), the claim is dropped and the
next tick tries again; if the outcome is unknown (the connection dropped), the claim stays,
so a crash can at worst skip one period's summary but never post it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot import slack_teams
from bot.services import summaries
from bot.services.summaries import DueSummary, Scope
from bot.ui.summaries import summary_message

from .slack import Verdict, classify

logger = logging.getLogger(__name__)


def post_due_summaries(
    session_factory: sessionmaker[Session], client_for: Callable[[str], WebClient], now: datetime
) -> int:
    """Post every summary that is due; returns how many reached Slack."""
    with session_factory.begin() as session:
        summaries.prune_snapshots(session=session, now=now)
        due = summaries.due_summaries(session=session, now=now)
    return sum(1 for item in due if post_due_summary(session_factory, client_for(item.team_id), item, now))


def post_due_summary(
    session_factory: sessionmaker[Session], client: WebClient, due: DueSummary, now: datetime
) -> bool:
    """Count the channel, claim the period, post. True when Slack took the message."""
    try:
        members = slack_teams.channel_members(client, due.channel_id)
    except Exception as error:
        failure = classify(error)
        if failure.verdict in (Verdict.PERMANENT, Verdict.STALE_CHANNEL):
            # Not in the channel, archived, gone: say so once this period, not every minute.
            logger.warning("summary for a subscribed channel skipped this period: %s", failure.error)
            with session_factory.begin() as session:
                summaries.record_undeliverable(session=session, due=due, now=now)
        else:
            logger.info("summary for a subscribed channel waits for the next tick: %s", failure.error)
        return False

    with session_factory.begin() as session:
        try:
            summary = summaries.publish_summary(
                session=session,
                team_id=due.team_id,
                scope=Scope("channel", due.channel_id),
                member_ids=members,
                channel_id=due.channel_id,
                now=now,
                cadence=due.cadence,
                delivery_key=due.delivery_key,
            )
        except summaries.AlreadyPosted:
            return False  # another worker claimed it first

    text, blocks = summary_message(summary)
    try:
        client.chat_postMessage(channel=due.channel_id, text=text, blocks=blocks)
    except Exception as error:
        failure = classify(error)
        with session_factory.begin() as session:
            if failure.maybe_done:
                summaries.mark_posted(
                    session=session, team_id=due.team_id, snapshot_id=summary.snapshot_id, posted=False
                )
            elif failure.verdict in (Verdict.RATE_LIMITED, Verdict.TRANSIENT, Verdict.AUTH):
                summaries.forget_claim(session=session, team_id=due.team_id, snapshot_id=summary.snapshot_id)
            else:
                summaries.mark_posted(
                    session=session, team_id=due.team_id, snapshot_id=summary.snapshot_id, posted=False
                )
        logger.warning("a scheduled summary was not posted: %s", failure.error)
        return False
    with session_factory.begin() as session:
        summaries.mark_posted(
            session=session, team_id=due.team_id, snapshot_id=summary.snapshot_id, posted=True
        )
    return True
