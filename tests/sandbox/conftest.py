"""The sandbox started in-process (no worker thread: tests tick when they mean to), and its
page's JSON API as the page uses it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.runner import Sandbox

# A Monday morning in Europe.
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


class PageApi:
    """What the page sends: JSON to /sandbox/api/…"""

    def __init__(self, base: str) -> None:
        self.base = base

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
        """Status, headers (case-insensitive) and body."""
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                return reply.status, reply.headers, reply.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def screen(self, user: str) -> dict[str, Any]:
        status, _, body = self.get(f"sandbox/api/screen?user={user}")
        assert status == 200, body
        return json.loads(body)

    def post(self, name: str, body: dict[str, Any], *, expect: int = 200) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.base}sandbox/api/{name}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                status, raw = reply.status, reply.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        assert status == expect, raw
        return json.loads(raw)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    with Sandbox(db_path=tmp_path / "sandbox.db", start=START, worker_interval=None) as running:
        yield running


@pytest.fixture
def page_api(sandbox: Sandbox) -> PageApi:
    return PageApi(sandbox.url)
