"""Scheduled summaries posted by the worker: once per period, never twice, retried when Slack
certainly did not take them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.emulator import FakeSlack
from bot.emulator.driver import texts
from bot.jobs.slack import make_client
from bot.jobs.summaries import post_due_summaries
from bot.models import SummarySnapshot, SummarySubscription, WorkspaceDelivery
from tests.factories import make_profile, make_workspace

TOKEN = "xoxb-worker"
MONDAY = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
TEAM = [f"U{i:02d}" for i in range(12)]


@pytest.fixture
def slack_api() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    fake.add_workspace("T1", token=TOKEN)
    for user in TEAM:
        fake.add_user("T1", user, name=user.lower())
    fake.add_channel("T1", "C0TEAM", name="team", members=[*TEAM, "UBOT"])
    fake.add_channel("T1", "C0NOBOT", name="quiet", members=TEAM)
    yield fake
    fake.stop()


@pytest.fixture
def subscribed(session_factory) -> None:
    with session_factory.begin() as session:
        make_workspace(session)
        for user in TEAM[:6]:
            make_profile(session, user)
        session.add(SummarySubscription(team_id="T1", channel_id="C0TEAM", cadence="weekly", created_at=MONDAY - timedelta(days=10)))


def run(session_factory, fake, now=MONDAY) -> int:
    client = make_client(TOKEN, fake.api_url)
    return post_due_summaries(session_factory, lambda team_id: client, now)


def summaries_in(fake, channel):
    return [m for m in fake.messages(channel) if "Peer mentoring in" in m["text"]]


def test_a_weekly_summary_is_posted_once_per_week(session_factory, slack_api, subscribed):
    assert run(session_factory, slack_api, MONDAY - timedelta(minutes=1)) == 0  # not due before 09:00
    assert run(session_factory, slack_api) == 1
    assert run(session_factory, slack_api, MONDAY + timedelta(hours=3)) == 0
    [message] = summaries_in(slack_api, "C0TEAM")
    assert "12 people" in texts(message) and "6 of 12 (50%)" in texts(message)
    with session_factory.begin() as session:
        [snapshot] = session.scalars(select(SummarySnapshot)).all()
        assert (snapshot.status, snapshot.period) == ("posted", "2026-W11")
    # The next week's comes the next Monday, with the change since this one.
    assert run(session_factory, slack_api, MONDAY + timedelta(days=7)) == 1
    assert ", no change" in texts(summaries_in(slack_api, "C0TEAM")[-1])


def test_a_refused_post_is_tried_again_next_tick(session_factory, slack_api, subscribed):
    slack_api.fail_next("chat.postMessage", status=429, retry_after=1)
    assert run(session_factory, slack_api) == 0
    assert summaries_in(slack_api, "C0TEAM") == []
    assert run(session_factory, slack_api, MONDAY + timedelta(minutes=1)) == 1
    assert len(summaries_in(slack_api, "C0TEAM")) == 1


def test_an_unknown_outcome_is_never_posted_again(session_factory, slack_api, subscribed):
    slack_api.fail_next("chat.postMessage", drop_response=True)
    assert run(session_factory, slack_api) == 0
    assert run(session_factory, slack_api, MONDAY + timedelta(minutes=1)) == 0
    assert len(summaries_in(slack_api, "C0TEAM")) == 1  # Slack had it; the worker never sent it twice


def test_a_channel_the_app_is_not_in_is_skipped_for_the_period(session_factory, slack_api, subscribed):
    with session_factory.begin() as session:
        session.add(SummarySubscription(team_id="T1", channel_id="C0NOBOT", cadence="weekly", created_at=MONDAY - timedelta(days=10)))
    run(session_factory, slack_api)
    asked = len(slack_api.calls_to("conversations.members"))
    run(session_factory, slack_api, MONDAY + timedelta(minutes=1))
    assert len(slack_api.calls_to("conversations.members")) == asked  # not every minute
    with session_factory.begin() as session:
        statuses = {s.channel_id: s.status for s in session.scalars(select(SummarySnapshot))}
    assert statuses == {"C0TEAM": "posted", "C0NOBOT": "failed"}


def test_a_workspace_whose_token_slack_refused_gets_nothing(session_factory, slack_api, subscribed):
    with session_factory.begin() as session:
        session.add(WorkspaceDelivery(team_id="T1", disabled_at=MONDAY, disabled_reason="token_revoked"))
    assert run(session_factory, slack_api) == 0
    assert slack_api.calls_to("conversations.members") == []
