"""Engine and session factory. Transactions are owned by listeners and jobs, not here."""

from __future__ import annotations

import fcntl
import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        # Enough pooled connections for every request thread: opening one runs the PRAGMAs.
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 20)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _configure_sqlite)
        _one_writer_at_a_time(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "BEGIN IMMEDIATE")
_HOLDS_LOCK = "peer_mentor_holds_write_lock"


def _one_writer_at_a_time(engine: Engine) -> None:
    """Let writers take turns at SQLite's single write lock, in this process and across processes.

    SQLite makes a second writer wait in a sleeping busy loop (1, 2, 5 … 100 ms between
    tries), which turns a burst of concurrent form submissions into 100 ms queues. Instead a
    writer first takes a lock of its own: a thread lock among this engine's threads, then an
    exclusive flock on a file beside the database, shared by every process that opens it (the
    web processes, the worker). Both hand the turn over the moment it is given back. Taken at
    the first write, as SQLite does, and given back when the transaction ends.
    """
    thread_lock = threading.Lock()
    database = engine.url.database
    lock_file = open(f"{database}.lock", "ab") if database and database != ":memory:" else None  # noqa: SIM115

    def before_cursor_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        info = conn.info
        if not info.get(_HOLDS_LOCK) and statement.lstrip()[:15].upper().startswith(_WRITES):
            thread_lock.acquire()
            if lock_file is not None:
                try:
                    fcntl.flock(lock_file, fcntl.LOCK_EX)
                except BaseException:  # never leave this process's writers locked out
                    thread_lock.release()
                    raise
            info[_HOLDS_LOCK] = True

    def release(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS_LOCK, False):
            if lock_file is not None:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
            thread_lock.release()

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    event.listen(engine, "commit", lambda conn: release(conn.info))
    event.listen(engine, "rollback", lambda conn: release(conn.info))
    # A connection handed back to the pool mid-transaction is rolled back there.
    event.listen(engine, "checkin", lambda _dbapi, record: release(record.info))


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web process read while the worker writes; the busy timeout makes a writer
    # wait for the other instead of failing at once; SQLite leaves foreign keys off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def database_answers(engine: Engine) -> bool:
    """True when the database accepts a trivial query (for /healthz)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # any driver error means "not healthy"; the caller reports 503
        return False
