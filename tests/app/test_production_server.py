"""The web process as production runs it: `python app.py --slack`, gunicorn, two web processes.

The other whole-app tests serve the app in a thread; this one starts the real command, as the
Procfile does, and drives it with signed requests against the fake Slack.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.emulator import FakeSlack
from bot.emulator.driver import SlackDriver, texts
from bot.models import Profile
from tests.app.conftest import SECRET, T1_PEOPLE, TOKEN
from tests.app.test_onboarding import ANSWERS
from tests.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
WEB_PROCESSES = 2


@pytest.fixture
def served(engine: Engine, database_url: str, fake_slack: FakeSlack) -> Iterator[SlackDriver]:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "WEB_CONCURRENCY": str(WEB_PROCESSES),
        "LOG_LEVEL": "INFO",
    }
    process = subprocess.Popen(
        [sys.executable, str(REPO / "app.py"), "--slack"],
        cwd=REPO,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        ready: set[str] = set()
        for line in process.stderr:  # start-up is over when every web process says it is ready
            if "is ready" in line:
                ready.add(line.split("web process ")[1].split()[0])
            if len(ready) == WEB_PROCESSES:
                break
        assert len(ready) == WEB_PROCESSES, "the web processes did not all start"
        # Keep reading its log so a full pipe never blocks the server.
        threading.Thread(target=process.stderr.read, daemon=True).start()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as health:
            assert health.status == 200
        yield SlackDriver(
            url=f"http://127.0.0.1:{port}/slack/events",
            fake=fake_slack,
            secret=SECRET,
            clock=lambda: datetime.now(UTC),
        )
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, "the server did not shut down cleanly on SIGTERM"


def test_people_join_at_the_same_time_through_the_production_server(served, engine):
    forms = {}
    for user in T1_PEOPLE:
        reply = served.command(user, "join")
        assert reply.status == 200
        forms[user] = served.modal_opened(reply)

    with ThreadPoolExecutor(len(T1_PEOPLE)) as senders:
        acks = list(senders.map(lambda user: served.submit(user, forms[user], ANSWERS), T1_PEOPLE))

    assert [(ack.status, ack.json) for ack in acks] == [(200, {})] * len(T1_PEOPLE)
    for user in T1_PEOPLE:
        assert "Welcome to peer mentoring" in texts(served.dms(user)[-1])
    with Session(engine) as session:
        stored = session.scalars(select(Profile).where(Profile.team_id == "T1")).all()
        assert sorted(p.user_id for p in stored) == sorted(T1_PEOPLE)
        # The time zone comes from Slack, whichever process answered the join and the form.
        assert {p.tz for p in stored} == {"Europe/London"}


def test_the_production_server_refuses_unsigned_requests(served):
    request = urllib.request.Request(served.url, data=b"command=%2Fpeer-mentor&text=join", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
