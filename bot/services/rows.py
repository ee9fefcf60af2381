"""INSERT … ON CONFLICT, for rows that two requests (or the worker) may race to create."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.models import Base


def insert_for(session: Session) -> Any:
    """The database's own INSERT construct, which has ON CONFLICT (SQLite and PostgreSQL)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def insert_unless_present(session: Session, model: type[Base], **values: Any) -> None:
    """Create the row unless it exists.

    Checking first and inserting after is not enough: two requests (in two web processes, or
    two threads) can both find the row missing, and the second insert would fail its request.
    """
    session.execute(insert_for(session)(model).values(**values).on_conflict_do_nothing())
