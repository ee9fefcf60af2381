"""A manager's team summary for a 10,000-member channel: the app's own time, without Slack's.

Sets up a SQLite database with a realistic workspace (12,000 participants, 4,000 active pairs,
check-ins in the last month, and a history of earlier summaries of overlapping channels for
the subtraction guard to check against) and the Slack emulator with a 10,000-member channel.
Each run times three phases separately:

* Slack, reading the members: conversations.members, 200 a page (50 calls to the emulator);
* **the app**: working out what may be said and recording it (`publish_summary`, in its own
  transaction, including the comparison with every earlier summary), then building the
  Block Kit message (`summary_message`);
* Slack, posting the message.

The target is the app's part under 1 s. An end-to-end run through the real app (signed slash
command in, message in the channel out) is timed too, for context.

    python -m benchmarks.summary [--members 10000] [--runs 5] [--history 40]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slack_sdk import WebClient

from bot import slack_teams
from bot.config import Settings
from bot.db import make_engine, make_session_factory
from bot.emulator import FakeSlack
from bot.emulator.driver import SlackDriver
from bot.logging_setup import configure_logging
from bot.models import (
    Base,
    Checkin,
    CheckinAnswer,
    MatchRound,
    Pair,
    PairMember,
    Profile,
    ProgramSettings,
    Workspace,
)
from bot.runtime import build_runtime
from bot.services import summaries
from bot.services.summaries import Scope
from bot.serving import BackgroundServer
from bot.ui.summaries import summary_message

TOKEN = "xoxb-bench"
SECRET = "bench-secret"
CHANNEL = "C0EVERYONE"
BOSS = "UBOSS"
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def populate(url: str, members: list[str], outsiders: list[str], history: int) -> None:
    """Participants, pairs, check-ins and earlier summaries, written in bulk."""
    rng = random.Random(7)
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    session_factory = make_session_factory(engine)
    opted = [m for m in members if rng.random() < 0.6] + outsiders
    with session_factory.begin() as session:
        session.add(Workspace(team_id="T1", created_at=NOW - timedelta(days=400)))
        session.flush()
        session.add(
            ProgramSettings(
                team_id="T1",
                round_cadence="biweekly",
                next_round_at=None,
                odd_person="trio",
                forbid_same_team=False,
                default_frequency="biweekly",
                work_start_hour=9,
                work_end_hour=17,
                quiet_days=[6, 7],
                privacy_threshold=5,
                manager_ids=[BOSS],
                updated_at=NOW,
            )
        )
        session.bulk_insert_mappings(
            Profile,  # type: ignore[arg-type]
            [
                {
                    "team_id": "T1",
                    "user_id": user,
                    "can_share": ["Public speaking"],
                    "want_to_grow": ["Negotiation"],
                    "career_goals": [],
                    "experience_level": "mid",
                    "function": "engineering",
                    "team_name": "Payments",
                    "background": "",
                    "meeting_ways": ["video"],
                    "frequency": "biweekly",
                    "feedback_commitment": True,
                    "tz": "Europe/London",
                    "paused": rng.random() < 0.1,
                    "paused_until": None,
                    "joined_at": NOW - timedelta(days=100),
                    "updated_at": NOW - timedelta(days=100),
                }
                for user in opted
            ],
        )
        match_round = MatchRound(
            team_id="T1",
            started_at=NOW - timedelta(days=40),
            seed=1,
            trigger="schedule",
            odd_person="trio",
            eligible_count=len(opted),
            pair_count=0,
            trio_count=0,
            waitlisted_count=0,
        )
        session.add(match_round)
        session.flush()
        rng.shuffle(opted)
        pairs = [opted[i : i + 2] for i in range(0, 8000, 2)]
        session.bulk_insert_mappings(
            Pair,  # type: ignore[arg-type]
            [
                {
                    "id": n + 1,
                    "team_id": "T1",
                    "round_id": match_round.id,
                    "created_at": NOW - timedelta(days=40),
                    "ended_at": None,
                    "status": "active",
                    "score": 1.0,
                    "reasons": [],
                }
                for n in range(len(pairs))
            ],
        )
        session.bulk_insert_mappings(
            PairMember,  # type: ignore[arg-type]
            [
                {"pair_id": n + 1, "team_id": "T1", "user_id": user}
                for n, pair in enumerate(pairs)
                for user in pair
            ],
        )
        met = [n + 1 for n in range(len(pairs)) if rng.random() < 0.6]
        session.bulk_insert_mappings(
            Checkin,  # type: ignore[arg-type]
            [
                {
                    "id": pair_id,
                    "team_id": "T1",
                    "pair_id": pair_id,
                    "number": 1,
                    "anchor_at": NOW - timedelta(days=14),
                    "step": 1,
                    "frequency": "biweekly",
                    "rules_version": 1,
                    "due_at": NOW - timedelta(days=7),
                    "escalation": "none",
                    "created_at": NOW - timedelta(days=7),
                }
                for pair_id in met
            ],
        )
        session.bulk_insert_mappings(
            CheckinAnswer,  # type: ignore[arg-type]
            [
                {
                    "team_id": "T1",
                    "checkin_id": pair_id,
                    "user_id": pairs[pair_id - 1][0],
                    "answer": "met",
                    "answered_at": NOW - timedelta(days=6),
                }
                for pair_id in met
            ],
        )
    # Earlier summaries of channels overlapping this one, for the guard to compare against.
    with session_factory.begin() as session:
        for n in range(history):
            team = rng.sample(members, k=rng.randint(50, len(members)))
            summaries.publish_summary(
                session=session,
                team_id="T1",
                scope=Scope("channel", f"C0OLD{n:03d}"),
                member_ids=team,
                channel_id=f"C0OLD{n:03d}",
                now=NOW - timedelta(days=history - n),
            )
    engine.dispose()


def time_phases(url: str, client: WebClient, run: int) -> tuple[float, float, float, int]:
    engine = make_engine(url)
    session_factory = make_session_factory(engine)
    start = time.perf_counter()
    members = slack_teams.channel_members(client, CHANNEL)
    fetched = time.perf_counter()
    with session_factory.begin() as session:
        summary = summaries.publish_summary(
            session=session,
            team_id="T1",
            scope=Scope("channel", CHANNEL),
            member_ids=members,
            channel_id=CHANNEL,
            now=NOW + timedelta(days=7 * run),
        )
    text, blocks = summary_message(summary)
    built = time.perf_counter()
    client.chat_postMessage(channel=CHANNEL, text=text, blocks=blocks)
    with session_factory.begin() as session:
        summaries.mark_posted(session=session, team_id="T1", snapshot_id=summary.snapshot_id, posted=True)
    posted = time.perf_counter()
    engine.dispose()
    return fetched - start, built - fetched, posted - built, len(members)


def end_to_end(url: str, fake: FakeSlack) -> float:
    settings = Settings(
        slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_url=fake.api_url, database_url=url
    )

    def clock() -> datetime:
        return NOW + timedelta(days=100)

    runtime = build_runtime(settings, clock=clock)
    server = BackgroundServer(runtime.web_app, threads=4).start()
    try:
        driver = SlackDriver(
            url=f"http://127.0.0.1:{server.port}/slack/events",
            fake=fake,
            secret=SECRET,
            clock=clock,
        )
        before = len(fake.calls_to("chat.postMessage"))
        start = time.perf_counter()
        driver.command(BOSS, "summary", channel=CHANNEL)
        fake.wait_for(
            "chat.postMessage", lambda c: c.args["channel"] == CHANNEL, count=before + 1, timeout=30
        )
        return time.perf_counter() - start
    finally:
        server.stop()
        runtime.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--history", type=int, default=40, help="earlier summaries to check against")
    args = parser.parse_args()
    configure_logging("WARNING")
    members = [f"U{i:06d}" for i in range(args.members)]
    outsiders = [f"W{i:06d}" for i in range(args.members // 5)]
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake:
        fake.add_workspace("T1", token=TOKEN)
        fake.add_user("T1", BOSS, name="boss")
        fake.add_channel("T1", CHANNEL, name="everyone", members=[*members, "UBOT"])
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        started = time.perf_counter()
        populate(url, members, outsiders, args.history)
        print(
            f"set-up: {args.members:,} members, {int(args.members * 0.6 + len(outsiders)):,} participants, "
            f"4,000 pairs, {args.history} earlier summaries ({time.perf_counter() - started:.1f} s)"
        )
        client = WebClient(token=TOKEN, base_url=fake.api_url)
        rows = [time_phases(url, client, run) for run in range(args.runs)]
        for n, (fetch, app, post, count) in enumerate(rows, start=1):
            print(
                f"run {n}: {count:,} members · Slack members {fetch * 1000:6.0f} ms · "
                f"app {app * 1000:6.0f} ms · Slack post {post * 1000:5.0f} ms"
            )
        app_times = [r[1] for r in rows]
        print(
            f"app's own time: median {statistics.median(app_times) * 1000:.0f} ms, "
            f"max {max(app_times) * 1000:.0f} ms (target < 1000 ms)"
        )
        print(
            f"end to end through the real app (command → message in the channel): {end_to_end(url, fake):.2f} s"
        )


if __name__ == "__main__":
    main()
