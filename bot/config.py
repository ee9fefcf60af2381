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


def load_settings(
    environ: Mapping[str, str] | None = None, *, dotenv_path: str | Path | None = ".env"
) -> Settings:
    """Build settings from `environ` (default: `environment()`, the process's plus `.env`)."""
    env = environment(dotenv_path) if environ is None else dict(environ)
    problems: list[str] = []

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    app_token = get("SLACK_APP_TOKEN")
    bot_token = get("SLACK_BOT_TOKEN")
    secret = get("SLACK_SIGNING_SECRET")
    if not bot_token:
        problems.append(
            "SLACK_BOT_TOKEN is missing: the bot token (xoxb-…) from your Slack app's OAuth & Permissions page."
        )
    elif not bot_token.startswith("xoxb-"):
        problems.append("SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-'.")
    if app_token is not None and not app_token.startswith("xapp-"):
        problems.append(
            "SLACK_APP_TOKEN must be an app-level token starting with 'xapp-' (Basic Information → App-Level Tokens), or unset for HTTP mode."
        )
    if not secret and app_token is None:
        problems.append(
            "SLACK_SIGNING_SECRET is missing: the signing secret from your Slack app's Basic Information page."
        )

    api_url = get("SLACK_API_URL") or SLACK_API_URL_DEFAULT
    if not re.match(r"^https?://[^/\s]+", api_url):
        problems.append(f"SLACK_API_URL must be an http(s) URL such as {SLACK_API_URL_DEFAULT}.")
    elif not api_url.endswith("/"):
        api_url += "/"

    database_url = normalise_database_url(get("DATABASE_URL") or DATABASE_URL_DEFAULT)
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database_url):
        problems.append("DATABASE_URL must be a sqlite:/// or postgresql:// URL.")

    admins = frozenset(a.strip() for a in (get("PEER_MENTOR_ADMINS") or "").split(",") if a.strip())
    bad_admins = sorted(a for a in admins if not _USER_ID.match(a))
    if bad_admins:
        problems.append(
            "PEER_MENTOR_ADMINS must be comma-separated Slack user ids such as U012ABCDEF; "
            f"these are not: {', '.join(bad_admins)}."
        )

    log_level = (get("LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        problems.append(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}.")

    port_text = get("PORT") or "3000"
    port = int(port_text) if port_text.isdigit() else 0
    if not 0 < port < 65536:
        problems.append("PORT must be a number from 1 to 65535.")

    processes_text = get("WEB_CONCURRENCY") or "2"
    web_processes = int(processes_text) if processes_text.isdigit() else 0
    if not 0 < web_processes <= 64:
        problems.append("WEB_CONCURRENCY (web processes) must be a number from 1 to 64.")

    if problems:
        raise ConfigError(
            "Peer Mentor cannot start. Set these in the environment or in a .env file "
            "next to app.py (see README → Configuration):\n  - " + "\n  - ".join(problems)
        )
    return Settings(
        slack_bot_token=bot_token or "",
        slack_signing_secret=secret or "",
        slack_app_token=app_token,
        slack_api_url=api_url,
        database_url=database_url,
        admins=admins,
        log_level=log_level,
        port=port,
        web_processes=web_processes,
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
