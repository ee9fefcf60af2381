"""Benchmark of the worker's fan-out: 10,000 due check-in prompts sent through the outbox.

    python -m benchmarks.worker                     # both runs, 10,000 prompts
    python -m benchmarks.worker --prompts 2000      # smaller
    python -m benchmarks.worker --database-url postgresql://…   # on PostgreSQL (a fresh schema)

Two runs, each on a fresh database seeded with active pairs whose weekly check-in is due
(5,000 pairs, spread over `--workspaces` workspaces), each a single real tick
(`bot.jobs.tick.run_tick`: planning, the users.list sweep, then sending):

* **limits on** — the fake Slack enforces Slack-like per-workspace limits with its sliding
  window: chat.postMessage `--per-minute` (default 60, Slack's "about one message a
  second"), users.list 20/min (Tier 2), conversations.open and conversations.history 50/min
  (Tier 3), users.info 100/min (Tier 4). Sending a workspace's 1,000 prompts at 60 a minute
  takes 16 minutes, so both the fake and the worker run on a clock `--speed` (default 4)
  times faster than real time.
  *Throughput vs allowed* is the shortest time the fake's limiter allows for the busiest
  workspace — (⌈N/L⌉ − 1) minutes between its first and last message — divided by the time
  the worker took, on the fake's clock: 1.0 is a perfect sender.
* **limits off** — no limits, real time: prompts per second (the fake's Block Kit validation
  of every distinct message, ~8 ms in its own process, is usually what bounds this).

Lost and duplicated prompts are counted from the fake's own log (the outbox key every
message carries in its metadata). The fake and the worker each run in a process of their
own, so neither slows the other through the GIL; peak memory is the worker process's.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import resource
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from benchmarks.seed import seed_active_pairs
from bot.config import normalise_database_url
from bot.db import make_engine, make_session_factory
from bot.models import Base

T0 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
DUE = T0 + timedelta(weeks=1)


def token_of(team_id: str) -> str:
    """One installation (and so one rate-limit window) per workspace, as Slack counts them."""
    return f"xoxb-bench-{team_id.lower()}"


SLACK_LIKE = {
    "users.list": 20,
    "users.info": 100,
    "conversations.open": 50,
    "conversations.history": 50,
}


@dataclass
class Result:
    scenario: str
    prompts: int
    workspaces: int
    per_minute: int | None
    wall_seconds: float
    delivered: int
    lost: int
    duplicated: int
    rate_limited: int
    fraction: float | None
    per_second: float
    peak_rss_mb: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=10_000)
    parser.add_argument("--workspaces", type=int, default=10)
    parser.add_argument("--per-minute", type=int, default=60)
    parser.add_argument("--speed", type=float, default=4.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--only", choices=("on", "off"), default=None)
    args = parser.parse_args()
    results = []
    if args.only in (None, "on"):
        results.append(run("limits on", args, limits=True))
    if args.only in (None, "off"):
        results.append(run("limits off", args, limits=False))
    print_table(results)


def run(scenario: str, args: argparse.Namespace, *, limits: bool) -> Result:
    teams = [f"T{n:03d}" for n in range(args.workspaces)]
    pairs_per_team = args.prompts // 2 // len(teams)
    people = {
        team: [(f"U{team}A{i:05d}", f"U{team}B{i:05d}") for i in range(pairs_per_team)] for team in teams
    }
    expected = pairs_per_team * 2 * len(teams)
    speed = args.speed if limits else 1.0

    with database(args.database_url) as url:
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        with make_session_factory(engine).begin() as session:
            for team in teams:
                seed_active_pairs(session, team_id=team, pairs=people[team], agreed_at=T0, all_hours=True)
        engine.dispose()

        spawn = multiprocessing.get_context("spawn")
        origin = time.monotonic()
        fake_end, fake_side = spawn.Pipe()
        fake = spawn.Process(
            target=serve_fake,
            args=(
                fake_side,
                people,
                SLACK_LIKE | {"chat.postMessage": args.per_minute} if limits else {},
                origin,
                speed,
            ),
        )
        fake.start()
        api_url = fake_end.recv()
        worker_end, worker_side = spawn.Pipe()
        worker = spawn.Process(
            target=run_worker, args=(worker_side, url, api_url, origin, speed, args.threads)
        )
        started = time.monotonic()
        worker.start()
        stats = worker_end.recv()
        worker.join()
        wall = time.monotonic() - started
        fake_end.send("report")
        log = fake_end.recv()
        fake.join()

    delivered = len(log["keys"])
    duplicated = sum(n - 1 for n in log["keys"].values())
    fraction = None
    if limits:
        busiest = max(len(p) * 2 for p in people.values())
        ideal = (math.ceil(busiest / args.per_minute) - 1) * 60
        took = log["last"] - log["first"]
        fraction = ideal / took if took > 0 else 1.0
    return Result(
        scenario=scenario,
        prompts=expected,
        workspaces=len(teams),
        per_minute=args.per_minute if limits else None,
        wall_seconds=wall,
        delivered=delivered,
        lost=expected - delivered,
        duplicated=duplicated,
        rate_limited=log["rate_limited"],
        fraction=fraction,
        per_second=stats["sent"] / stats["send_seconds"] if stats["send_seconds"] else 0.0,
        peak_rss_mb=stats["peak_rss_mb"],
    )


class database:
    """A fresh database for one run: a SQLite file, or a new schema on a PostgreSQL server."""

    def __init__(self, url: str | None) -> None:
        self._url = normalise_database_url(url) if url else None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._schema = f"bench_{uuid.uuid4().hex[:10]}"

    def __enter__(self) -> str:
        if self._url is None:
            self._tmp = tempfile.TemporaryDirectory()
            return f"sqlite:///{Path(self._tmp.name) / 'bench.db'}"
        admin = make_engine(self._url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self._schema}"'))
        admin.dispose()
        sep = "&" if "?" in self._url else "?"
        return f"{self._url}{sep}options=-csearch_path%3D{self._schema}"

    def __exit__(self, *exc: object) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            return
        assert self._url is not None
        admin = make_engine(self._url)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{self._schema}" CASCADE'))
        admin.dispose()


def serve_fake(
    conn: Any, people: dict[str, list[tuple[str, str]]], limits: dict[str, int], origin: float, speed: float
) -> None:
    """The fake Slack in a process of its own, on the shared (fast) clock."""
    from bot.emulator import FakeSlack

    start = DUE.timestamp()
    fake = FakeSlack(clock=lambda: start + (time.monotonic() - origin) * speed).start()
    for team, pairs in people.items():
        fake.add_workspace(team, token=token_of(team))
        for a, b in pairs:
            fake.add_user(team, a, name=a.lower())
            fake.add_user(team, b, name=b.lower())
    for method, per_minute in limits.items():
        fake.set_rate_limit(method, per_minute=per_minute)
    conn.send(fake.api_url)
    conn.recv()
    posts = fake.calls_to("chat.postMessage")
    ok = [c for c in posts if c.ok]
    conn.send(
        {
            "keys": Counter(c.args["metadata"]["event_payload"]["key"] for c in ok),
            "rate_limited": sum(1 for c in fake.calls if c.status == 429),
            "first": min((c.at for c in ok), default=0.0),
            "last": max((c.at for c in ok), default=0.0),
        }
    )
    fake.stop()


def run_worker(conn: Any, url: str, api_url: str, origin: float, speed: float, threads: int) -> None:
    """One real tick in a process of its own; reports its counts and peak memory."""
    from bot.jobs.tick import run_tick
    from bot.logging_setup import configure_logging

    configure_logging("WARNING")
    report = run_tick(
        database_url=url,
        api_url=api_url,
        tokens=token_of,
        now=DUE,
        speed=speed,
        origin=origin,
        budget=timedelta(hours=6),
        threads=threads,
    )
    conn.send(
        {
            "sent": report.sent,
            "plan_seconds": report.planning_seconds,
            "send_seconds": report.seconds - report.planning_seconds,
            "counts": dict(report.sending.counts),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def print_table(results: list[Result]) -> None:
    header = (
        "| run | prompts | workspaces | limit/min | wall s | delivered | lost | duplicated | 429s "
        "| throughput vs allowed | prompts/s | worker peak RSS MB |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for r in results:
        fraction = f"{r.fraction:.3f}" if r.fraction is not None else "—"
        print(
            f"| {r.scenario} | {r.prompts:,} | {r.workspaces} | {r.per_minute or '—'} | {r.wall_seconds:.1f} "
            f"| {r.delivered:,} | {r.lost} | {r.duplicated} | {r.rate_limited} | {fraction} "
            f"| {r.per_second:.0f} | {r.peak_rss_mb:.0f} |"
        )


if __name__ == "__main__":
    main()
