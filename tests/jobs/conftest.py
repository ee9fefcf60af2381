"""Worker fixtures: a fake Slack Web API on loopback with two workspaces, each with its own
bot token (so one can be revoked), and a `tick` that runs the real worker tick against it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from bot.emulator import FakeSlack
from bot.jobs.tick import TickReport, run_tick

TOKENS = {"T1": "xoxb-worker-t1", "T2": "xoxb-worker-t2"}
PEOPLE = {"T1": [f"U1{n:02d}" for n in range(40)], "T2": [f"U2{n:02d}" for n in range(40)]}


def add_directory(fake: FakeSlack) -> None:
    for team, token in TOKENS.items():
        fake.add_workspace(team, token=token, name=f"Workspace {team}")
        for user in PEOPLE[team]:
            fake.add_user(team, user, name=user.lower(), tz="Europe/London")


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    add_directory(fake)
    yield fake
    fake.stop()


@pytest.fixture
def tick(database_url: str, fake: FakeSlack, engine):  # engine: the schema exists
    def run(now: datetime, **options) -> TickReport:
        tokens = options.pop("tokens", TOKENS)
        return run_tick(
            database_url=database_url, api_url=fake.api_url, tokens=tokens.__getitem__, now=now, **options
        )

    return run
