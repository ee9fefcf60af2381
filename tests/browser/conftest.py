"""A real headless Chromium (Debian's `chromium`) driving the sandbox page through Playwright.

Skipped, with the reason, when /usr/bin/chromium or the playwright package is missing;
.ci/run installs both. Playwright's own browser download is never used.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.runner import Sandbox

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_REPO = Path(__file__).resolve().parents[2]
# The tour's screenshots go to build/screenshots, so a test run leaves the tree clean;
# REFRESH_SCREENSHOTS=1 writes the committed ones in docs/screenshots instead.
SCREENSHOTS = _REPO / ("docs" if os.environ.get("REFRESH_SCREENSHOTS") == "1" else "build") / "screenshots"
# A Monday morning in Europe, so the first week holds five working days for everyone.
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium); .ci/run installs it"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    return None


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="pm-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 860},
            timezone_id="Europe/London",
            locale="en-GB",
        )
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    with Sandbox(db_path=tmp_path / "sandbox.db", start=START, worker_interval=0.5) as running:
        yield running


@pytest.fixture
def page(chromium: Any, sandbox: Sandbox) -> Iterator[Any]:
    page = chromium.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(8000)
    page.goto(sandbox.url)
    yield page
    page.close()
    assert errors == [], f"the page raised: {errors}"
