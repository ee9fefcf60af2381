"""Whether `python app.py` should start the sandbox, decided without importing it.

The sandbox starts when asked (`--sandbox`) or when no Slack bot token is configured in the
environment or in .env, so that the README's run command shows something on a machine that
has no Slack app yet.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.config import environment

FLAG = "--sandbox"
# Production (the Procfile) says so, so a missing token stops start-up with a clear message
# instead of quietly starting a sandbox.
SLACK_ONLY = "--slack"


def slack_token_configured(
    environ: Mapping[str, str] | None = None, dotenv_path: str | Path = ".env"
) -> bool:
    env = environment(dotenv_path, environ)
    return bool(env.get("SLACK_BOT_TOKEN", "").strip())


def sandbox_reason(
    argv: Sequence[str], environ: Mapping[str, str] | None = None, dotenv_path: str | Path = ".env"
) -> str | None:
    """Why the sandbox starts (the first words of the line app.py prints), or None for Slack."""
    if SLACK_ONLY in argv:
        return None
    if FLAG in argv:
        return "Peer Mentor sandbox: the real app beside a local Slack emulator."
    if not slack_token_configured(environ, dotenv_path):
        return (
            "No Slack tokens are configured (SLACK_BOT_TOKEN is not set in the environment or .env), "
            "so Peer Mentor is running its sandbox: the real app beside a local Slack emulator."
        )
    return None


def sandbox_port(environ: Mapping[str, str] | None = None, default: int = 3000) -> int:
    text = (os.environ if environ is None else environ).get("PORT", "").strip()
    return int(text) if text.isdigit() and 0 < int(text) < 65536 else default
