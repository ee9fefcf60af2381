"""The crash test: a worker killed with SIGKILL at random moments during a fan-out of
thousands of prompts, restarted until done; afterwards every prompt was delivered exactly
once, counted from the fake Slack's own log.

Each run is a real `python -m bot.worker --once --now …` process against the fake Slack
running in this test process on loopback. A killed worker leaves rows leased (and some in
doubt: posted, or maybe posted, with no record of it); the next run starts a little later
(`--now` moves past the lease), takes them over, and must neither lose nor repeat one. A few
dropped connections (Slack posted, the answer never came) are thrown in as well.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.seed import seed_active_pairs
from bot.emulator import FakeSlack
from bot.models import OutboxMessage

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
DUE = T0 + timedelta(weeks=1)
TOKEN = "xoxb-crash-test"
PAIRS_PER_WORKSPACE = 500  # two workspaces: 2,000 prompts
MAX_RUNS = 60
KILLS = 12


def test_sigkill_at_random_moments_never_loses_or_repeats_a_prompt(session_factory, database_url):
    fake = FakeSlack().start()
    try:
        expected = set()
        for team in ("T1", "T2"):
            fake.add_workspace(team, token=TOKEN)
            pairs = [(f"U{team}A{i:04d}", f"U{team}B{i:04d}") for i in range(PAIRS_PER_WORKSPACE)]
            for a, b in pairs:
                fake.add_user(team, a, name=a.lower())
                fake.add_user(team, b, name=b.lower())
            with session_factory.begin() as session:
                pair_ids = seed_active_pairs(session, team_id=team, pairs=pairs, agreed_at=T0, all_hours=True)
            expected |= {f"checkin:{p}:1:{u}" for p, pair in zip(pair_ids, pairs, strict=True) for u in pair}
        # Slack posts these and the connection drops before the answer: in doubt, not lost.
        fake.fail_next("chat.postMessage", drop_response=True, times=3)

        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_API_URL": fake.api_url,
            "LOG_LEVEL": "ERROR",
        }
        env.pop("SLACK_SIGNING_SECRET", None)
        rng = random.Random(20260304)
        now, kills, runs, stalled = DUE, 0, 0, 0
        while runs < MAX_RUNS and (before := _unsent(session_factory)) != 0:
            runs += 1
            worker = subprocess.Popen(
                [sys.executable, "-m", "bot.worker", "--once", "--now", now.isoformat()],
                cwd=REPO,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            try:
                # A loaded machine can make a worker slower than its kill: each run killed
                # without progress lets the next one live twice as long, and after KILLS
                # kills the workers are left to finish.
                life = rng.uniform(1.0, 5.0) * 2 ** min(stalled, 4) if kills < KILLS else 600
                _, errors = worker.communicate(timeout=life)
                assert worker.returncode == 0, errors.decode()
            except subprocess.TimeoutExpired:
                worker.send_signal(signal.SIGKILL)
                worker.communicate()
                kills += 1
            stalled = stalled + 1 if _unsent(session_factory) == before else 0
            # The next worker starts once the killed one's leases (5 minutes) have run out.
            now += timedelta(minutes=6)

        assert _unsent(session_factory) == 0, f"not done after {runs} runs"
        assert kills >= 3, f"killed {kills} of {runs} runs: too few to prove anything"
        delivered = Counter(
            c.args["metadata"]["event_payload"]["key"] for c in fake.calls_to("chat.postMessage") if c.ok
        )
        assert set(delivered) == expected  # nothing lost
        assert [key for key, n in delivered.items() if n > 1] == []  # nothing repeated
        # And the people agree: each DM holds exactly one check-in.
        for team in ("T1", "T2"):
            for user in (f"U{team}A0000", f"U{team}B{PAIRS_PER_WORKSPACE - 1:04d}"):
                assert len(fake.messages(fake.dm_channel(team, [user]) or "")) == 1
    finally:
        fake.stop()


def _unsent(session_factory) -> int | None:
    """Rows not yet sent; None before the first worker planned anything."""
    with session_factory.begin() as session:
        total = session.scalar(select(func.count()).select_from(OutboxMessage))
        sent = session.scalar(select(func.count()).where(OutboxMessage.status == "sent"))
    return None if not total else total - sent
