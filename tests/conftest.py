"""Shared fixtures: a fresh real database per test (SQLite file, or PostgreSQL by URL).

Set TEST_DATABASE_URL=postgresql+psycopg://… to run the suite on PostgreSQL; each test then
gets an empty schema of its own in that database.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.config import normalise_database_url
from bot.db import make_engine, make_session_factory
from bot.logging_setup import install_redaction
from bot.models import Base

# As every entry point does: no log record, in any test, carries what a person typed.
install_redaction()

# A Wednesday in working hours, so tests that care about time have a fixed, ordinary instant.
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    return normalise_database_url(url) if url else None


@pytest.fixture
def database_url(tmp_path) -> Iterator[str]:
    """A URL to an empty database that lives for one test."""
    pg = _postgres_url()
    if pg is None:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(pg)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg else "?"
    yield f"{pg}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session inside a transaction; services never commit, so the test sees their effects."""
    with session_factory.begin() as session:
        yield session


@pytest.fixture
def now() -> datetime:
    return NOW


def free_port() -> int:
    """A loopback port nothing listens on right now, for a server a test starts in a process."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
