"""HTTP ack latency of `/peer-mentor join` and of the opt-in modal's view_submission.

Starts the real app exactly as production does (`python app.py`: waitress, a SQLite file) in
its own process, pointed at the Slack emulator on loopback in this process, and sends correctly
signed requests at 1 and at 20 concurrent clients. Latency runs from sending the request to
reading the whole acknowledgement, which is what Slack's 3-second clock sees.

    python -m benchmarks.ack_latency [--requests 400]
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

from bot.db import make_engine
from bot.emulator import FakeSlack
from bot.emulator import signed_requests as sr
from bot.ids import ProfileField
from bot.logging_setup import configure_logging
from bot.models import Base
from bot.ui.profile_modal import profile_modal

SECRET = "bench-secret"
TOKEN = "xoxb-bench"
ANSWERS = {
    ProfileField.CAN_SHARE: {"value": ["public_speaking"]},
    ProfileField.WANT_TO_GROW: {"value": ["negotiation"]},
    ProfileField.EXPERIENCE_LEVEL: {"value": "mid"},
    ProfileField.FUNCTION: {"value": "engineering"},
    ProfileField.TEAM_NAME: {"value": "Payments"},
    ProfileField.MEETING_WAYS: {"value": ["video"]},
    ProfileField.FREQUENCY: {"value": "weekly"},
    ProfileField.FEEDBACK_COMMITMENT: {"value": ["yes"]},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="requests per scenario")
    args = parser.parse_args()
    configure_logging("WARNING")
    users = [f"UB{i:05d}" for i in range(args.requests * 4)]
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake:
        fake.add_workspace("T1", token=TOKEN)
        for user in users:
            fake.add_user("T1", user, name=user.lower())
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        port = free_port()
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            "DATABASE_URL": url,
            "PORT": str(port),
            "LOG_LEVEL": "WARNING",
        }
        env.pop("SLACK_APP_TOKEN", None)
        app = subprocess.Popen(
            [sys.executable, "app.py"], env=env, cwd=Path(__file__).resolve().parent.parent
        )
        try:
            wait_until_healthy(port)
            target = urlparse(f"http://127.0.0.1:{port}/slack/events")
            modal = profile_modal(None)
            modal["id"] = "VBENCH"
            pool = iter(users)

            def join_command() -> sr.SignedRequest:
                user = next(pool)
                return sr.slash_command(
                    SECRET,
                    team_id="T1",
                    user_id=user,
                    text="join",
                    trigger_id=fake.new_trigger_id("T1", user),
                    response_url=fake.new_response_url(),
                )

            def submission() -> sr.SignedRequest:
                user = next(pool)
                return sr.view_submission(
                    SECRET,
                    team_id="T1",
                    user_id=user,
                    view=modal,
                    values=sr.state_values(modal, ANSWERS),
                    trigger_id=fake.new_trigger_id("T1", user),
                )

            print(
                f"{'scenario':<26}{'clients':>8}{'requests':>10}{'median ms':>11}{'p99 ms':>9}{'errors':>8}"
            )
            for name, build in (("/peer-mentor join", join_command), ("opt-in view_submission", submission)):
                for clients in (1, 20):
                    latencies, errors = run(target, build, args.requests, clients)
                    median = statistics.median(latencies) * 1000
                    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
                    print(f"{name:<26}{clients:>8}{args.requests:>10}{median:>11.1f}{p99:>9.1f}{errors:>8}")
            failed = [c for c in fake.calls if not c.ok]
            print(f"Slack calls the app made: {len(fake.calls)}, failed: {len(failed)}")
        finally:
            app.terminate()
            app.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_healthy(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # the app process is starting; nothing to wait on but the port


def run(target, build, count: int, clients: int) -> tuple[list[float], int]:
    def send(_: int) -> tuple[float, bool]:
        request = build()  # built at send time: a trigger id lives 3 seconds
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        started = time.perf_counter()
        connection.request("POST", target.path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        connection.close()
        return elapsed, response.status == 200

    with ThreadPoolExecutor(max_workers=clients) as executor:
        results = list(executor.map(send, range(count)))
    return [r[0] for r in results], sum(1 for r in results if not r[1])


if __name__ == "__main__":
    main()
