"""SQLite set up for several processes: writers take turns through a lock file beside the database."""

from __future__ import annotations

import fcntl
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.db import make_engine, make_session_factory
from bot.models import Base, Workspace

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _someone_else_can_write(lock_path: str) -> bool:
    """What another process would find: can it take the writers' lock right now?"""
    with open(lock_path, "ab") as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(other, fcntl.LOCK_UN)
        return True


def test_a_writer_holds_the_lock_file_until_its_transaction_ends(tmp_path):
    database = tmp_path / "pm.db"
    engine = make_engine(f"sqlite:///{database}")
    Base.metadata.create_all(engine)
    lock_path = f"{database}.lock"
    sessions = make_session_factory(engine)

    with sessions.begin() as session:
        session.scalars(select(Workspace)).all()
        assert _someone_else_can_write(lock_path), "reading must not keep writers out"
        session.add(Workspace(team_id="T1", created_at=NOW))
        session.flush()
        assert not _someone_else_can_write(lock_path)
    assert _someone_else_can_write(lock_path)

    with pytest.raises(RuntimeError), sessions.begin() as session:
        session.add(Workspace(team_id="T2", created_at=NOW))
        session.flush()
        raise RuntimeError("the listener failed")
    assert _someone_else_can_write(lock_path), "a rolled-back writer gives the turn back"
    engine.dispose()


def test_writers_in_two_engines_take_turns_and_both_commit(tmp_path):
    url = f"sqlite:///{tmp_path / 'pm.db'}"
    first, second = make_engine(url), make_engine(url)
    Base.metadata.create_all(first)
    first_writing, second_done = threading.Event(), threading.Event()

    def second_writer() -> None:
        first_writing.wait(10)
        with make_session_factory(second).begin() as session:
            session.add(Workspace(team_id="T2", created_at=NOW))
        second_done.set()

    other = threading.Thread(target=second_writer)
    other.start()
    with make_session_factory(first).begin() as session:
        session.add(Workspace(team_id="T1", created_at=NOW))
        session.flush()
        first_writing.set()
        assert not second_done.wait(0.2), "the second writer wrote while the first held the turn"
    other.join(10)
    assert second_done.is_set()
    with make_session_factory(first).begin() as session:
        assert sorted(session.scalars(select(Workspace.team_id))) == ["T1", "T2"]
    first.dispose()
    second.dispose()
