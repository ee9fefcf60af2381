"""Settings, read once at start-up from the environment (and a `.env` file when present).

Every problem is collected and reported in one message that says what to set and where,
so a person fixing a deployment sees all of it at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

SLACK_API_URL_DEFAULT = "https://slack.com/api/"
DATABASE_URL_DEFAULT = "sqlite:///peer_mentor.db"
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


class ConfigError(Exception):
    """Start-up cannot go on; the message says what to set."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str
    slack_signing_secret: str
    slack_app_token: str | None = None
    slack_api_url: str = SLACK_API_URL_DEFAULT
    database_url: str = DATABASE_URL_DEFAULT
    admins: frozenset[str] = field(default_factory=frozenset)
    log_level: str = "INFO"
    port: int = 3000
    web_processes: int = 2

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None


def normalise_database_url(url: str) -> str:
    """Accept the `postgres://` URLs hosting platforms hand out and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def environment(
    dotenv_path: str | Path | None = ".env", environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """`environ` (default: the process environment) over a `.env` file when present: the one
    place `.env` is read. A variable set in the environment wins over the same one in `.env`.
    """
    env = dict(_read_dotenv(dotenv_path))
    env.update(os.environ if environ is None else environ)
    return env


@dataclass(frozen=True)
class WorkerSettings:
    """What the worker needs: it posts to Slack and reads the database, and never receives a
    request from Slack, so it has no signing secret, app token or port."""

    slack_bot_token: str
    slack_api_url: str = SLACK_API_URL_DEFAULT
    database_url: str = DATABASE_URL_DEFAULT
    log_level: str = "INFO"


def load_settings(
    environ: Mapping[str, str] | None = None, *, dotenv_path: str | Path | None = ".env"
) -> Settings:
    """The web process's settings from `environ` (default: `environment()`, the process's plus
    `.env`)."""
    env = environment(dotenv_path) if environ is None else dict(environ)
    read = _Reader(env)
    common = read.common()
    app_token = read.get("SLACK_APP_TOKEN")
    secret = read.get("SLACK_SIGNING_SECRET")
    if app_token is not None and not app_token.startswith("xapp-"):
        read.problem(
            "SLACK_APP_TOKEN must be an app-level token starting with 'xapp-' (Basic Information → App-Level Tokens), or unset for HTTP mode."
        )
    if not secret and app_token is None:
        read.problem(
            "SLACK_SIGNING_SECRET is missing: the signing secret from your Slack app's Basic Information page."
        )

    admins = frozenset(a.strip() for a in (read.get("PEER_MENTOR_ADMINS") or "").split(",") if a.strip())
    bad_admins = sorted(a for a in admins if not _USER_ID.match(a))
    if bad_admins:
        read.problem(
            "PEER_MENTOR_ADMINS must be comma-separated Slack user ids such as U012ABCDEF; "
            f"these are not: {', '.join(bad_admins)}."
        )
    port = read.number("PORT", default=3000, low=1, high=65535, what="PORT")
    web_processes = read.number(
        "WEB_CONCURRENCY", default=2, low=1, high=64, what="WEB_CONCURRENCY (web processes)"
    )
    read.raise_problems()
    return Settings(
        slack_signing_secret=secret or "",
        slack_app_token=app_token,
        admins=admins,
        port=port,
        web_processes=web_processes,
        **common,
    )


def load_worker_settings(
    environ: Mapping[str, str] | None = None, *, dotenv_path: str | Path | None = ".env"
) -> WorkerSettings:
    """The worker's settings: the same checks as the web's for what both use, nothing more."""
    read = _Reader(environment(dotenv_path) if environ is None else dict(environ))
    common = read.common()
    read.raise_problems()
    return WorkerSettings(**common)


class _Reader:
    """Reads settings and collects every problem, so one message can list them all."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        self._problems: list[str] = []

    def get(self, name: str) -> str | None:
        value = self._env.get(name, "").strip()
        return value or None

    def problem(self, text: str) -> None:
        self._problems.append(text)

    def number(self, name: str, *, default: int, low: int, high: int, what: str) -> int:
        text = self.get(name) or str(default)
        value = int(text) if text.isdigit() else 0
        if not low <= value <= high:
            self.problem(f"{what} must be a number from {low} to {high}.")
        return value

    def common(self) -> dict[str, str]:
        """What the web and the worker both need: the bot token, Slack's API, the database and
        the log level."""
        bot_token = self.get("SLACK_BOT_TOKEN")
        if not bot_token:
            self.problem(
                "SLACK_BOT_TOKEN is missing: the bot token (xoxb-…) from your Slack app's OAuth & Permissions page."
            )
        elif not bot_token.startswith("xoxb-"):
            self.problem("SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-'.")

        api_url = self.get("SLACK_API_URL") or SLACK_API_URL_DEFAULT
        if not re.match(r"^https?://[^/\s]+", api_url):
            self.problem(f"SLACK_API_URL must be an http(s) URL such as {SLACK_API_URL_DEFAULT}.")
        elif not api_url.endswith("/"):
            api_url += "/"

        database_url = normalise_database_url(self.get("DATABASE_URL") or DATABASE_URL_DEFAULT)
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database_url):
            self.problem("DATABASE_URL must be a sqlite:/// or postgresql:// URL.")

        log_level = (self.get("LOG_LEVEL") or "INFO").upper()
        if log_level not in LOG_LEVELS:
            self.problem(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}.")
        return {
            "slack_bot_token": bot_token or "",
            "slack_api_url": api_url,
            "database_url": database_url,
            "log_level": log_level,
        }

    def raise_problems(self) -> None:
        if self._problems:
            raise ConfigError(
                "Peer Mentor cannot start. Set these in the environment or in a .env file "
                "next to app.py (see README → Configuration):\n  - " + "\n  - ".join(self._problems)
            )


def _read_dotenv(path: str | Path | None) -> dict[str, str]:
    if path is None or not Path(path).is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def database_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    """Just the database URL, for tools (Alembic) that must not need Slack credentials."""
    env = environment() if environ is None else environ
    return normalise_database_url(env.get("DATABASE_URL", "").strip() or DATABASE_URL_DEFAULT)
