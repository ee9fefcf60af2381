"""Wiring: from settings to a running web app. Used by app.py, the tests and the benchmarks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_bolt import App
from sqlalchemy import Engine

from bot.config import Settings
from bot.db import WEB_WRITE_WAIT_SECONDS, make_engine, make_session_factory
from bot.listeners.deps import Deps, utc_now
from bot.listeners.directory import Directory
from bot.slack_app import create_bolt_app
from bot.web import WebApp


@dataclass
class Runtime:
    engine: Engine
    deps: Deps
    bolt_app: App
    web_app: WebApp


def build_runtime(
    settings: Settings, *, clock: Callable[[], datetime] = utc_now, engine: Engine | None = None
) -> Runtime:
    engine = engine or make_engine(settings.database_url, write_wait=WEB_WRITE_WAIT_SECONDS)
    deps = Deps(
        settings=settings,
        session_factory=make_session_factory(engine),
        directory=Directory(program_admins=settings.admins),
        clock=clock,
    )
    bolt_app = create_bolt_app(deps)
    web_app = WebApp(
        bolt_app,
        signing_secret=settings.slack_signing_secret,
        engine=engine,
        session_factory=deps.session_factory,
        acks=deps.acks,
        clock=lambda: clock().timestamp(),
    )
    return Runtime(engine=engine, deps=deps, bolt_app=bolt_app, web_app=web_app)
