"""Alembic environment: the URL comes from DATABASE_URL (or a connection the caller hands in)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from bot.config import database_url_from_env
from bot.db import make_engine
from bot.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        **kwargs,  # type: ignore[arg-type]
    )


def run_migrations_offline() -> None:
    _configure(url=database_url_from_env(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


class ForeignKeysBroken(Exception):
    """A migration left rows pointing at rows that are not there; nothing was committed."""


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite only: migrate with foreign keys off, and check them all before committing.

    Batch mode changes a SQLite table by copying it and dropping the old one, and with
    foreign keys on (as bot.db turns them on for every connection) dropping a table first
    deletes its rows, cascading to every row that points at them: upgrading to 0006 lost
    every member of every pair. SQLite ignores this PRAGMA inside a transaction, so it is set
    before Alembic's transaction begins; `PRAGMA foreign_key_check` then runs inside it, so a
    migration that breaks a reference rolls back instead of committing.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar() != 0:
        raise RuntimeError("SQLite migrations must start outside a transaction (foreign keys stayed on)")
    try:
        yield
    finally:
        # Ignored if the caller's transaction is still open; the caller's connection then
        # keeps foreign keys off until it is closed (tests dispose of their engines).
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise ForeignKeysBroken(f"{len(broken)} rows point at rows that are gone, in {', '.join(tables)}")


def _migrate(connection: Connection) -> None:
    _configure(connection=connection)
    with _foreign_keys_off(connection), context.begin_transaction():
        context.run_migrations()
        _check_foreign_keys(connection)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = make_engine(database_url_from_env())
    with engine.connect() as connection:
        _migrate(connection)
        connection.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
