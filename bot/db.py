"""Engine and session factory. Transactions are owned by listeners and jobs, not here.

Every engine hides bound parameters from its error messages (`hide_parameters=True`): they
hold what people typed, and error messages end up in logs (see bot/logging_setup.py).
"""

from __future__ import annotations

import fcntl
import threading
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

# How long a writer waits for its turn before giving up with `DatabaseBusy`. The worker can
# wait; a web request cannot usefully wait past Slack's 3-second deadline for its answer, so
# bot.runtime gives web processes WEB_WRITE_WAIT_SECONDS.
WRITE_WAIT_SECONDS = 10.0
WEB_WRITE_WAIT_SECONDS = 2.0
# Between tries for another process's turn (the turns of this process's threads are handed
# over at once, by a lock). Measured: see README → Deployment.
_CROSS_PROCESS_POLL_SECONDS = 0.001


class DatabaseBusy(Exception):
    """Another writer held the database for longer than this one could wait."""


class SecondWriter(Exception):
    """A thread already writing in one session started writing in another: it would wait for
    itself. A bug in the caller, refused at once instead of hanging."""


def make_engine(url: str, *, write_wait: float = WRITE_WAIT_SECONDS, **kwargs: Any) -> Engine:
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        # Enough pooled connections for every request thread: opening one runs the PRAGMAs.
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 20)
        engine = create_engine(url, connect_args={"timeout": write_wait}, **kwargs)
        event.listen(engine, "connect", _sqlite_configurer(write_wait))
        _one_writer_at_a_time(engine, write_wait)
        return engine
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    event.listen(engine, "connect", _postgres_configurer(write_wait))
    return engine


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "BEGIN IMMEDIATE")
_HOLDS_LOCK = "peer_mentor_holds_write_lock"


def _one_writer_at_a_time(engine: Engine, write_wait: float) -> None:
    """Let writers take turns at SQLite's single write lock, in this process and across processes.

    SQLite makes a second writer wait in a sleeping busy loop (1, 2, 5 … 100 ms between
    tries), which turns a burst of concurrent form submissions into 100 ms queues. Instead a
    writer first takes a lock of its own: a thread lock among this engine's threads (handed
    over the moment it is given back), then an exclusive flock on a file beside the
    database, shared by every process that opens it (the web processes, the worker), tried
    every millisecond. Taken at the first write, as SQLite does, and given back when the
    transaction ends. A writer waits at most `write_wait` seconds for both, then gets
    `DatabaseBusy`; a thread that is already writing and starts a second writing session
    gets `SecondWriter` at once (it would otherwise wait for itself).
    """
    thread_lock = threading.Lock()
    holder: dict[str, int | None] = {"thread": None}
    database = engine.url.database
    lock_file = open(f"{database}.lock", "ab") if database and database != ":memory:" else None  # noqa: SIM115

    def before_cursor_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        info = conn.info
        if info.get(_HOLDS_LOCK) or not statement.lstrip()[:15].upper().startswith(_WRITES):
            return
        if holder["thread"] == threading.get_ident():
            raise SecondWriter("this thread is already writing in another session")
        deadline = time.monotonic() + write_wait
        if not thread_lock.acquire(timeout=write_wait):
            raise DatabaseBusy("another writer in this process held the database")
        try:
            if lock_file is not None:
                _flock_until(lock_file, deadline)
        except BaseException:  # never leave this process's writers locked out
            thread_lock.release()
            raise
        holder["thread"] = threading.get_ident()
        info[_HOLDS_LOCK] = True

    def release(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS_LOCK, False):
            if lock_file is not None:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
            holder["thread"] = None
            thread_lock.release()

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    event.listen(engine, "commit", lambda conn: release(conn.info))
    event.listen(engine, "rollback", lambda conn: release(conn.info))
    # A connection handed back to the pool mid-transaction is rolled back there.
    event.listen(engine, "checkin", lambda _dbapi, record: release(record.info))


def _flock_until(lock_file: Any, deadline: float) -> None:
    while True:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise DatabaseBusy("another process held the database") from None
            time.sleep(_CROSS_PROCESS_POLL_SECONDS)


def _sqlite_configurer(write_wait: float) -> Any:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets the web process read while the worker writes; the busy timeout makes a
        # writer wait for the other instead of failing at once; SQLite leaves foreign keys
        # off by default; secure_delete overwrites deleted rows, so erased words do not
        # linger in the file's free pages.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(write_wait * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    return configure


def _postgres_configurer(write_wait: float) -> Any:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        # A row another transaction holds is waited for as long as a writer would wait on
        # SQLite, then the statement fails with lock_not_available (`is_busy`).
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET lock_timeout = {int(write_wait * 1000)}")
        cursor.close()
        dbapi_connection.commit()

    return configure


def is_busy(error: BaseException) -> bool:
    """Whether a failure means "another writer had the database": worth trying again soon."""
    if isinstance(error, DatabaseBusy):
        return True
    if isinstance(error, DBAPIError):
        orig = error.orig
        if getattr(orig, "sqlstate", None) == "55P03":  # PostgreSQL: lock_not_available
            return True
        return "database is locked" in str(orig)
    return False


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


def forget_erased(engine: Engine) -> None:
    """After an erasure: move SQLite's write-ahead log into the database file and empty it.

    Until a checkpoint, the pages that held the erased rows stay in the `-wal` file; with
    `secure_delete` on, the checkpoint writes them back zeroed. TRUNCATE also shrinks the
    log to nothing. (PostgreSQL keeps dead rows until VACUUM, which it runs on its own.)
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
