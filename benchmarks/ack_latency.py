"""HTTP ack latency of `/peer-mentor join` and of the opt-in modal's view_submission.

Starts the real app exactly as production does (`python app.py`: gunicorn, two web processes,
a SQLite file) in its own processes, pointed at the Slack emulator on loopback in this process,
and sends correctly signed requests from a client process of its own. Latency runs from
sending a request to reading the whole acknowledgement, which is what Slack's 3-second clock
sees. As in life, each submission is of a form the app opened for that person (`/peer-mentor
join`, untimed, before the scenario starts), so it carries the view Slack stored. Three loads:

- 1 client: one request at a time;
- bursts of 20: twenty requests sent at the same moment (a team all typing `join` after an
  announcement), then a pause for the app to finish the work that follows the acks;
- 20 clients, sustained: twenty clients each sending the next request the moment the last is
  answered. This saturates the machine (2 cores shared by the app, the Slack emulator and
  the clients), so a request's time is mostly its wait in line; the last two columns say how
  many were answered per second and how many were in flight on average (Little's law).

Then a burst row (issue: a team all pressing Join after an announcement): `--burst` people
(50) send `/peer-mentor join` in the same instant, then the same people submit the forms that
opened, all at once. For the joins it reports the ack and the modal opening, from the moment
Slack issued the trigger to `views.open` answered (Slack's trigger lives 3 s), and how many
triggers expired or were never used; for the submissions, the ack.

    python -m benchmarks.ack_latency [--requests 400] [--burst 50] [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import deque
from pathlib import Path
from urllib.parse import urlparse

from bot.config import normalise_database_url
from bot.db import make_engine
from bot.emulator import FakeSlack
from bot.emulator import signed_requests as sr
from bot.ids import ProfileField
from bot.logging_setup import configure_logging
from bot.models import Base

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
    parser.add_argument("--burst", type=int, default=50, help="people in the burst row (0: none)")
    parser.add_argument(
        "--database-url",
        help="an EMPTY PostgreSQL database to use instead of a new SQLite file (its tables are dropped)",
    )
    args = parser.parse_args()
    configure_logging("WARNING")
    users = [f"UB{i:05d}" for i in range(args.requests * 6 + args.burst)]
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake:
        fake.add_workspace("T1", token=TOKEN)
        for user in users:
            fake.add_user("T1", user, name=user.lower())
        url = (
            normalise_database_url(args.database_url)
            if args.database_url
            else f"sqlite:///{Path(tmp) / 'bench.db'}"
        )
        engine = make_engine(url)
        Base.metadata.drop_all(engine)
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
            pool = iter(users)
            opened: list[tuple[str, dict]] = []

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
                user, modal = opened.pop()
                return sr.view_submission(
                    SECRET,
                    team_id="T1",
                    user_id=user,
                    view=modal,
                    values=sr.state_values(modal, ANSWERS),
                    trigger_id=fake.new_trigger_id("T1", user),
                )

            def open_forms(count: int) -> None:
                """People open the form they will submit, one after another, untimed."""
                calls_before = len(fake.calls)
                for _ in range(count):
                    request = join_command()
                    user, trigger_id = request.payload()["user_id"], request.payload()["trigger_id"]
                    send_once(target, request)
                    fake.wait_for("views.open", lambda c, t=trigger_id: c.args["trigger_id"] == t, timeout=10)
                    opened.append((user, fake.open_modal_stack("T1", user)[-1]))
                settle(fake, calls_before)

            print(
                f"{'scenario':<24}{'load':<23}{'requests':>9}{'median ms':>11}{'p99 ms':>9}{'errors':>8}{'per s':>7}{'in flight':>11}"
            )
            loads = (("1 client", 1, False), ("bursts of 20", 20, True), ("20 clients, sustained", 20, False))
            for name, build in (("/peer-mentor join", join_command), ("opt-in view_submission", submission)):
                for load, clients, burst in loads:
                    send = build
                    if build is submission:
                        # Built beforehand (copying a 17 KB view and signing it is slow work for
                        # this process, which would leave clients idle); a submission's trigger
                        # id is never used. A command's is, and lives 3 s: built just in time.
                        open_forms(args.requests)
                        send = iter([submission() for _ in range(args.requests)]).__next__
                    latencies, errors, span = run(
                        target,
                        send,
                        args.requests,
                        clients,
                        burst=burst,
                        prepared=send is not build,
                        fake=fake,
                    )
                    # Requests answered per second, and how many were in flight on average
                    # (Little's law); bursts pause in between, so neither means anything there.
                    rate = "" if burst else f"{args.requests / span:.0f}"
                    in_flight = "" if burst else f"{sum(latencies) / span:.1f}"
                    median = statistics.median(latencies) * 1000
                    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
                    print(
                        f"{name:<24}{load:<23}{args.requests:>9}{median:>11.1f}{p99:>9.1f}{errors:>8}{rate:>7}{in_flight:>11}"
                    )
            if args.burst:
                burst_row(target, fake, join_command, submission, opened, args.burst)
            failed = [c for c in fake.calls if not c.ok]
            print(f"Slack calls the app made: {len(fake.calls)}, failed: {len(failed)}")
        finally:
            app.terminate()
            app.wait(timeout=10)


def burst_row(target, fake: FakeSlack, join_command, submission, opened: list, people: int) -> None:
    """`people` joins in one instant, then their `people` forms submitted in one instant."""
    joins, issued = [], {}  # trigger id -> when Slack issued it (the emulator's clock is time.time)
    for _ in range(people):
        joins.append(join_command())
        issued[joins[-1].payload()["trigger_id"]] = time.time()
    calls_before = len(fake.calls)
    join_acks, join_errors, _ = run(
        target, iter(joins).__next__, people, people, burst=True, prepared=True, fake=fake
    )
    opens = [
        c
        for c in fake.calls[calls_before:]
        if c.method == "views.open" and c.args.get("trigger_id") in issued
    ]
    opened_at = {c.args["trigger_id"]: c.at for c in opens if c.ok}
    expired = sum(1 for c in opens if c.response.get("error") == "expired_trigger_id")
    never = len(issued) - len({c.args["trigger_id"] for c in opens})
    opening = [opened_at[t] - issued[t] for t in opened_at]
    for request in joins:
        user = request.payload()["user_id"]
        stack = fake.open_modal_stack("T1", user)
        if stack:
            opened.append((user, stack[-1]))
    submissions = [submission() for _ in range(len(opened))]
    submit_acks, submit_errors, _ = run(
        target,
        iter(submissions).__next__,
        len(submissions),
        len(submissions),
        burst=True,
        prepared=True,
        fake=fake,
    )
    print(f"\nBurst: {people} people press Join in the same instant, then submit their forms at once")
    print(f"{'':<28}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    rows = [("join: ack", join_acks, join_errors), ("join: modal open (views.open)", opening, 0)]
    rows.append(("submit: ack", submit_acks, submit_errors))
    for name, latencies, errors in rows:
        p50, p99 = _quantiles(latencies)
        print(f"{name:<28}{len(latencies):>9}{p50:>9.1f}{p99:>9.1f}{errors:>8}")
    print(f"expired triggers: {expired}, triggers never used: {never}")


def _quantiles(latencies: list[float]) -> tuple[float, float]:
    if len(latencies) < 2:
        only = latencies[0] * 1000 if latencies else float("nan")
        return only, only
    cuts = statistics.quantiles(latencies, n=100)
    return statistics.median(latencies) * 1000, cuts[98] * 1000


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


def run(
    target, build, count: int, clients: int, *, burst: bool, prepared: bool, fake: FakeSlack
) -> tuple[list[float], int, float]:
    """Send `count` requests from a separate client process.

    Returns (latencies, errors, seconds from the first request sent to the last answer in).
    The clients live in their own process so that their clocks are not held up by this one,
    which also runs the Slack emulator. Requests come from `build`: made just before they are
    sent (trigger ids come from the emulator and live 3 seconds), or all at once when
    `prepared`, so that twenty stay in flight however busy this process is.
    """
    context = multiprocessing.get_context("spawn")
    outbox: multiprocessing.Queue = context.Queue(maxsize=clients * 2)
    results: multiprocessing.Queue = context.Queue()
    process = context.Process(
        target=client_process, args=(target.hostname, target.port, target.path, clients, outbox, results)
    )
    process.start()
    collected: list[tuple[float, bool, float, float]] = []
    if burst:
        for start in range(0, count, clients):
            calls_before = len(fake.calls)
            size = min(clients, count - start)
            outbox.put([_wire(build()) for _ in range(size)])
            collected += [results.get() for _ in range(size)]
            settle(fake, calls_before)
    elif prepared:
        outbox.put([_wire(build()) for _ in range(count)])
        collected = [results.get() for _ in range(count)]
    else:
        for _ in range(count):
            outbox.put([_wire(build())])
        collected = [results.get() for _ in range(count)]
    outbox.put(None)
    process.join(timeout=30)
    span = max(r[3] for r in collected) - min(r[2] for r in collected)
    return [r[0] for r in collected], sum(1 for r in collected if not r[1]), span


def send_once(target, request: sr.SignedRequest) -> None:
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    connection.request("POST", target.path, body=request.body, headers=request.headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"the app answered {response.status} to {request.payload().get('text')!r}")


def _wire(request: sr.SignedRequest) -> tuple[bytes, dict[str, str]]:
    return request.body, request.headers


def client_process(host: str, port: int, path: str, clients: int, outbox, results) -> None:
    """Each batch from `outbox` is sent at once, on up to `clients` connections in parallel.

    One thread and non-blocking sockets: a request's clock starts just before its bytes go out
    and stops when the last byte of the answer is in, with no client threads queueing for the
    interpreter in between (which would be counted against the app).
    """
    waiting: deque[bytes] = deque()
    wake_reader, wake_writer = socket.socketpair()

    def take_batches() -> None:
        while (batch := outbox.get()) is not None:
            waiting.extend(_http_request(host, port, path, wire) for wire in batch)
            wake_writer.send(b"x")
        waiting.append(b"")  # the end
        wake_writer.send(b"x")

    threading.Thread(target=take_batches, daemon=True).start()
    selector = selectors.DefaultSelector()
    selector.register(wake_reader, selectors.EVENT_READ, None)
    in_flight = 0
    finished = False
    while not finished or in_flight:
        while waiting and in_flight < clients and waiting[0]:
            connection = socket.create_connection((host, port))
            started = time.perf_counter()
            connection.sendall(waiting.popleft())
            connection.setblocking(False)
            selector.register(connection, selectors.EVENT_READ, [started, b""])
            in_flight += 1
        if waiting and not waiting[0]:
            waiting.popleft()
            finished = True
            continue
        for key, _ in selector.select():
            if key.data is None:
                wake_reader.recv(4096)
                continue
            try:
                chunk = key.fileobj.recv(65536)
            except OSError:  # the app dropped the connection: an error, not a reply
                chunk = b""
            key.data[1] += chunk
            reply = _complete_reply(key.data[1])
            if reply is None and chunk:
                continue
            answered_at = time.perf_counter()  # one clock for every process on this machine
            selector.unregister(key.fileobj)
            key.fileobj.close()
            in_flight -= 1
            ok = reply is not None and reply.startswith(b"HTTP/1.1 200")
            results.put((answered_at - key.data[0], ok, key.data[0], answered_at))


def _http_request(host: str, port: int, path: str, wire: tuple[bytes, dict[str, str]]) -> bytes:
    body, headers = wire
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _complete_reply(received: bytes) -> bytes | None:
    """The reply once it has all arrived (its Content-Length), else None."""
    head, separator, body = received.partition(b"\r\n\r\n")
    if not separator:
        return None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return received if len(body) >= int(value) else None
    return None  # no Content-Length: complete when the server closes (handled by the caller)


def settle(fake: FakeSlack, calls_before: int, quiet: float = 0.2) -> None:
    """Wait until the app has made no Slack call for `quiet` seconds: its after-ack work is done."""
    seen = calls_before
    while True:
        time.sleep(quiet)
        now = len(fake.calls)
        if now == seen:
            return
        seen = now


if __name__ == "__main__":
    main()
