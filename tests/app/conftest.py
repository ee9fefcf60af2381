"""Whole-app fixtures: the real app served over HTTP on loopback, a fake Slack Web API beside it.

Each test gets an empty database with the models' schema (tests/test_migrations.py proves
the migrations build exactly that schema).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from bot.config import Settings
from bot.emulator import FakeSlack
from bot.emulator.driver import SlackDriver
from bot.runtime import Runtime, build_runtime
from bot.serving import BackgroundServer
from tests.conftest import NOW

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
ADMIN = "UADMIN"
T1_PEOPLE = ["U1", "U2", "U3", "U4"]
T2_PEOPLE = ["U5", "U6", "U7", "U8"]


class Clock:
    """The app's notion of now, which a test can move forward."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    # Slack's rate-limit tiers are on for the whole app; a test that bursts on purpose and
    # does not care about pacing may call fake_slack.set_tiers(on=False), saying why.
    fake.set_tiers(on=True)
    # One org-wide token serves both workspaces, as an Enterprise Grid install does; user ids
    # are unique across the org, so each workspace has its own people.
    for team, tz, people in (("T1", "Europe/London", T1_PEOPLE), ("T2", "America/New_York", T2_PEOPLE)):
        fake.add_workspace(team, token=TOKEN, name=f"Workspace {team}")
        for user in people:
            fake.add_user(team, user, name=user.lower(), tz=tz)
        admin = ADMIN if team == "T1" else "UADMIN2"
        fake.add_user(team, admin, name=admin.lower(), tz=tz, is_admin=True)
        fake.add_channel(team, "C0GENERAL", name="general", members=[*people, admin, "UBOT"])
    yield fake
    fake.stop()


@pytest.fixture
def runtime(engine: Engine, database_url: str, fake_slack: FakeSlack, clock: Clock) -> Iterator[Runtime]:
    settings = Settings(
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=fake_slack.api_url,
        database_url=database_url,
    )
    runtime = build_runtime(settings, clock=clock, engine=engine)
    yield runtime
    # Let work queued after acks finish while the fake Slack is still there to receive it.
    runtime.deps.background.shutdown(wait=True)


@pytest.fixture
def slack(runtime: Runtime, fake_slack: FakeSlack, clock: Clock) -> Iterator[SlackDriver]:
    server = BackgroundServer(runtime.web_app, threads=4).start()
    yield SlackDriver(
        url=f"http://127.0.0.1:{server.port}/slack/events", fake=fake_slack, secret=SECRET, clock=clock
    )
    server.stop()
