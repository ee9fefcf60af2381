"""The worker's database engine.

On SQLite every worker transaction starts with `BEGIN IMMEDIATE`: it takes the write lock at
the start (waiting up to the busy timeout for another writer) instead of failing half-way
when a read transaction tries to become a write one, and it is what makes claiming outbox
rows exclusive there. PostgreSQL needs nothing special: claims use `FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

from bot.db import make_engine


def worker_engine(url: str, **kwargs: Any) -> Engine:
    if not url.startswith("sqlite"):
        return make_engine(url, pool_size=10, max_overflow=10, **kwargs)
    engine = make_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own BEGIN (deferred, and only before writes) is switched off…
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        # …and every transaction begins with the write lock instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
