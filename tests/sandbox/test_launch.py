"""`python app.py` on a machine with no Slack tokens opens the sandbox; `--sandbox` asks for it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot.sandbox.launch import sandbox_port, sandbox_reason, slack_token_configured
from tests.conftest import free_port

REPO = Path(__file__).resolve().parents[2]


def test_when_the_sandbox_starts(tmp_path: Path) -> None:
    no_env = tmp_path / "missing.env"
    assert sandbox_reason([], {}, no_env) is not None
    assert "SLACK_BOT_TOKEN" in (sandbox_reason([], {"SLACK_BOT_TOKEN": "  "}, no_env) or "")
    assert sandbox_reason([], {"SLACK_BOT_TOKEN": "xoxb-1"}, no_env) is None
    assert sandbox_reason(["--sandbox"], {"SLACK_BOT_TOKEN": "xoxb-1"}, no_env) is not None
    dotenv = tmp_path / ".env"
    dotenv.write_text("SLACK_BOT_TOKEN=xoxb-from-file\n")
    assert slack_token_configured({}, dotenv) and sandbox_reason([], {}, dotenv) is None
    assert sandbox_port({"PORT": "4100"}) == 4100 and sandbox_port({"PORT": "nope"}) == 3000


def test_the_run_command_without_tokens_reaches_the_sandbox_page(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_") and k != "DATABASE_URL"}
    env["PORT"] = str(free_port())
    process = subprocess.Popen(
        [sys.executable, str(REPO / "app.py")],
        cwd=tmp_path,  # a fresh checkout's working directory: no .env, no database
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        line = ""
        while time.monotonic() < deadline and "Open http" not in line:
            line = process.stdout.readline()
            assert line or process.poll() is None, "app.py exited before the sandbox started"
        address = re.search(r"Open (http://127\.0\.0\.1:\d+/)", line)
        assert address, line
        assert "No Slack tokens are configured" in line
        with urllib.request.urlopen(address.group(1), timeout=10) as page:
            assert page.status == 200 and b"Peer Mentor" in page.read()
        assert (tmp_path / "sandbox.db").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def test_slack_only_never_starts_the_sandbox():
    from bot.sandbox.launch import sandbox_reason

    assert sandbox_reason(["--slack"], environ={}, dotenv_path="/nonexistent/.env") is None
    assert sandbox_reason([], environ={}, dotenv_path="/nonexistent/.env") is not None
