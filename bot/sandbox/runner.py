"""Starts the sandbox: a fresh database, the Slack emulator with the demo workspace, the real
app on its HTTP front door, the worker ticking beside it, and the page.

    sandbox = Sandbox(db_path=Path("sandbox.db"), port=3000).start()
    print(sandbox.url)
    ...
    sandbox.stop()
"""

from __future__ import annotations

import logging
import secrets
import signal
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.config import Settings, WorkerSettings
from bot.emulator import FakeSlack
from bot.runtime import Runtime, build_runtime
from bot.serving import BackgroundServer
from bot.worker import worker_engine

from . import forms
from .clock import SandboxClock
from .database import fresh_database
from .people import (
    ADMIN,
    BOT_TOKEN,
    EMPLOYEES,
    MANAGER,
    TEAM_CHANNEL,
    TEAM_ID,
    seed_workspace,
)
from .slack_side import Delivery, SandboxError, SlackSide

logger = logging.getLogger(__name__)

DEFAULT_PORT = 3000
TICK_STEP = timedelta(hours=1)  # when time is advanced, the worker ticks at every hour on the way
MAX_ADVANCE = timedelta(weeks=8)
WORKER_BUDGET = timedelta(seconds=30)


@dataclass
class TickLog:
    ticks: int = 0
    sent: int = 0
    last_at: datetime | None = None
    failures: list[str] = field(default_factory=list)


class Sandbox:
    def __init__(
        self,
        *,
        db_path: Path,
        port: int = 0,
        host: str = "127.0.0.1",
        start: datetime | None = None,
        worker_interval: float | None = 5.0,
        configure_program: bool = True,
        log_level: str = "INFO",
    ) -> None:
        self.db_path = db_path
        self.host = host
        self.requested_port = port
        self.clock = SandboxClock(start)
        self.worker_interval = worker_interval
        self.configure_program_on_start = configure_program
        self.log_level = log_level
        self.secret = secrets.token_hex(16)  # made up here; nothing outside this process knows it
        self.schema_source = ""
        self.ticks = TickLog()
        self.busy: str | None = None  # what the sandbox is doing, for the page
        self.notes: list[str] = []  # set-up problems worth showing on the page
        self._tick_lock = threading.Lock()
        self._advance_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.fake: FakeSlack
        self.engine: Engine
        self.settings: Settings
        self.worker_settings: WorkerSettings
        self.worker_engine: Engine
        self.runtime: Runtime
        self.slack: SlackSide
        self._app_server: BackgroundServer | None = None
        self._page_server: BackgroundServer | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> Sandbox:
        self.fake = FakeSlack(clock=self.clock.timestamp).start()
        seed_workspace(self.fake)
        self.engine, self.schema_source = fresh_database(self.db_path)
        if self.schema_source != "alembic":
            self.notes.append(
                "The database schema was built from the models because the migrations could not "
                "build it (see the log)."
            )
        self.settings = Settings(
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=self.secret,
            slack_api_url=self.fake.api_url,
            database_url=f"sqlite:///{self.db_path}",
            admins=frozenset({ADMIN.user_id}),
            log_level=self.log_level,
            port=self.requested_port or DEFAULT_PORT,
        )
        self.worker_settings = WorkerSettings(
            slack_bot_token=BOT_TOKEN,
            slack_api_url=self.fake.api_url,
            database_url=self.settings.database_url,
            log_level=self.log_level,
        )
        # The worker's own engine, as in production: its SQLite transactions begin IMMEDIATE.
        self.worker_engine = worker_engine(self.worker_settings.database_url)
        self.runtime = build_runtime(self.settings, clock=self.clock, engine=self.engine)
        self._app_server = BackgroundServer(self.runtime.web_app, threads=8).start()
        self.slack = SlackSide(
            fake=self.fake,
            app_url=f"http://127.0.0.1:{self._app_server.port}/slack/events",
            secret=self.secret,
            team_id=TEAM_ID,
            timestamp=self.clock.timestamp,
        )
        if self.configure_program_on_start:
            self.configure_program()
        from .server import SandboxWeb

        self._page_server = BackgroundServer(
            SandboxWeb(self), host=self.host, port=self.requested_port, threads=16
        ).start()
        if self.worker_interval:
            self._spawn(self._worker_loop, "sandbox-worker")
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        if self._page_server is not None:
            self._page_server.stop()
        if self._app_server is not None:
            self._app_server.stop()
        self.runtime.deps.background.shutdown(wait=True)
        self.fake.stop()
        self.worker_engine.dispose()
        self.engine.dispose()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._page_server is not None, "start() the sandbox first"
        return f"http://{self.host}:{self._page_server.port}/"

    @property
    def app_url(self) -> str:
        return self.slack.app_url

    def _spawn(self, target: Any, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    # ------------------------------------------------------------ the worker

    def _worker_loop(self) -> None:
        """The worker beside the app, as in production (there once a minute, here more often so
        nobody waits for an introduction)."""
        assert self.worker_interval
        while not self._stop.wait(self.worker_interval):
            if self.busy is None:
                self.tick()

    def tick(self, at: datetime | None = None) -> int:
        """One worker tick at `at` (default: now on the sandbox clock); returns messages sent."""
        from bot.worker import tick

        with self._tick_lock:
            now = at or self.clock.now()
            try:
                sent = tick(self.worker_settings, self.worker_engine, now, budget=WORKER_BUDGET)
            except Exception as failure:  # the sandbox goes on; the page shows what happened
                logger.exception("the worker's tick failed")
                self.ticks.failures.append(f"{now.isoformat()}: {type(failure).__name__}: {failure}")
                del self.ticks.failures[:-5]
                sent = 0
            self.ticks.ticks += 1
            self.ticks.sent += sent
            self.ticks.last_at = now
            return sent

    def advance(self, delta: timedelta) -> dict[str, Any]:
        """Move time forward by `delta`, the worker ticking at every hour on the way (and at the
        end), as a worker running all that time would have."""
        if not timedelta(0) < delta <= MAX_ADVANCE:
            raise SandboxError(f"advance by more than nothing and at most {MAX_ADVANCE.days // 7} weeks")
        if not self._advance_lock.acquire(blocking=False):
            raise SandboxError("the clock is moving already; try again in a moment")
        start = self.clock.now()
        end = start + delta
        sent = ticks = 0
        self.busy = f"Advancing the clock to {end:%a %d %b %H:%M} UTC…"
        try:
            at = start + TICK_STEP
            while at < end:
                self.clock.advance_to(at)
                sent += self.tick(at)
                ticks += 1
                at += TICK_STEP
            self.clock.advance_to(end)
            sent += self.tick(self.clock.now())
            ticks += 1
        finally:
            self.busy = None
            self._advance_lock.release()
        return {"from": start.isoformat(), "to": self.clock.now().isoformat(), "ticks": ticks, "sent": sent}

    # ------------------------------------------------------------ seeding through the app's own flows

    def configure_program(self) -> None:
        """As the program admin: name the manager and the team channel's weekly summary in the
        app's settings modal (`/peer-mentor admin`)."""
        try:
            reply = self.slack.command(ADMIN.user_id, self.fake.open_app_dm(TEAM_ID, ADMIN.user_id), "admin")
            modal = self.slack.modal_opened(reply, timeout=5)
        except (AssertionError, SandboxError) as failure:
            self._note(f"Could not open the admin settings to name the manager: {failure}")
            return
        answers = forms.settings_answers(modal, managers=[MANAGER.user_id], weekly_channels=[TEAM_CHANNEL])
        if not answers:
            self.slack.close(ADMIN.user_id, modal["id"])
            self._note("The admin settings have no field for managers; the manager was not configured.")
            return
        done = self.slack.submit(ADMIN.user_id, modal["id"], answers)
        problem = _problem(done)
        if problem:
            self._close_if_open(ADMIN.user_id, modal["id"])
            self._note(f"Saving the admin settings failed: {problem}")

    def fill_demo_people(self) -> dict[str, Any]:
        """Every demo employee who hasn't yet opts in through the real join modal, each with their
        own answers. Returns who joined, who was in already, and any problems."""
        joined: list[str] = []
        already: list[str] = []
        problems: dict[str, str] = {}
        self.busy = "Filling the program with demo people…"
        try:
            for person in EMPLOYEES:
                try:
                    outcome = self._join(person)
                except (AssertionError, SandboxError) as failure:
                    outcome = str(failure).splitlines()[0]
                if outcome == "joined":
                    joined.append(person.user_id)
                elif outcome == "already":
                    already.append(person.user_id)
                else:
                    problems[person.user_id] = outcome
        finally:
            self.busy = None
        return {"joined": joined, "already": already, "problems": problems}

    def _join(self, person: Any) -> str:
        dm = self.fake.open_app_dm(TEAM_ID, person.user_id)
        reply = self.slack.command(person.user_id, dm, "join")
        if reply.status != 200:
            return reply.error or f"HTTP {reply.status}"
        try:
            modal = self.slack.modal_opened(reply, timeout=4)
        except AssertionError:
            text = str(reply.body.get("text") or "no modal opened")
            return f"`/peer-mentor join` did not open a form: {text}"
        if (person.user_id, str(modal.get("callback_id") or "")) in self.slack.submitted:
            self.slack.close(person.user_id, modal["id"])  # they joined already: leave it as it is
            return "already"
        done = self.slack.submit(person.user_id, modal["id"], forms.profile_answers(modal, person))
        problem = _problem(done)
        if problem:
            self._close_if_open(person.user_id, modal["id"])
            return problem
        return "joined"

    def _close_if_open(self, user_id: str, view_id: str) -> None:
        if any(v["id"] == view_id for v in self.fake.open_modal_stack(TEAM_ID, user_id)):
            self.slack.close(user_id, view_id)

    def _note(self, note: str) -> None:
        logger.warning("%s", note)
        self.notes.append(note)


def _problem(delivery: Delivery) -> str | None:
    if delivery.error:
        return delivery.error
    if delivery.body.get("response_action") == "errors":
        errors = delivery.body.get("errors") or {}
        return "; ".join(f"{k}: {v}" for k, v in errors.items()) or "the form was refused"
    return None


# ---------------------------------------------------------------- python app.py [--sandbox]


def free_port(preferred: int, host: str = "127.0.0.1") -> int:
    """`preferred` if nothing listens there, else 0 (any free port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, preferred))
        except OSError:
            return 0
    return preferred


def run_sandbox(
    *, reason: str, port: int = DEFAULT_PORT, db_path: Path = Path("sandbox.db"), log_level: str = "INFO"
) -> int:
    """Run the sandbox in the foreground until Ctrl-C (or SIGTERM)."""
    from bot.logging_setup import configure_logging

    configure_logging(log_level)
    # The worker ticks every few seconds here: its per-tick line would bury everything else.
    for name in ("bot.jobs.tick", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    chosen = free_port(port)
    sandbox = Sandbox(db_path=db_path.resolve(), port=chosen, log_level=log_level).start()
    moved = "" if chosen == port else f" (port {port} is busy)"
    print(f"{reason} Open {sandbox.url} to try Peer Mentor{moved}. Ctrl-C stops it.", flush=True)
    for note in sandbox.notes:
        print(f"  note: {note}", flush=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.wait(1.0):
        pass
    print("Stopping the sandbox…", flush=True)
    sandbox.stop()
    return 0
