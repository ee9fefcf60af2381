"""Stored states: rows read back as enum members, and the database refuses a value no enum has."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError, StatementError

from bot.db import make_engine
from bot.models import Base, OutboxMessage
from bot.models.states import OutboxStatus
from tests.factories import DEFAULT_NOW, make_workspace

# Every state column, as the migration and the models must both constrain it.
STATE_COLUMNS = {
    ("outbox", "status"),
    ("pairs", "status"),
    ("rules_proposals", "status"),
    ("summary_snapshots", "status"),
    ("checkins", "outcome"),
    ("checkins", "escalation"),
    ("checkins", "decision"),
    ("checkin_answers", "answer"),
}


def _outbox_row(status: str = OutboxStatus.PENDING) -> OutboxMessage:
    return OutboxMessage(
        team_id="T1",
        key="checkin:1:2026-W10:U1",
        kind="checkin",
        period="2026-W10",
        recipient="U1",
        payload={},
        status=status,
        due_at=DEFAULT_NOW,
        created_at=DEFAULT_NOW,
    )


def test_a_state_reads_back_as_its_enum_member(session_factory):
    with session_factory.begin() as session:
        make_workspace(session)
        session.add(_outbox_row())
    with session_factory.begin() as session:
        row = session.query(OutboxMessage).one()
        assert row.status is OutboxStatus.PENDING


def test_the_database_refuses_a_state_no_enum_has(engine, session_factory):
    with session_factory.begin() as session:
        make_workspace(session)
        session.add(_outbox_row())
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE outbox SET status = 'sending'"))
    with session_factory.begin() as session:
        assert session.query(OutboxMessage).one().status is OutboxStatus.PENDING


def test_the_orm_refuses_a_mistyped_state_before_the_database_sees_it(session_factory):
    with pytest.raises(StatementError) as refused, session_factory.begin() as session:
        make_workspace(session)
        session.add(_outbox_row(status="canceled"))
    assert isinstance(refused.value.orig, LookupError)
    with session_factory.begin() as session:
        assert session.query(OutboxMessage).count() == 0


def _check_constraints(connection) -> set[tuple[str, str]]:
    found = set()
    inspector = inspect(connection)
    for table, column in STATE_COLUMNS:
        names = {c["name"] for c in inspector.get_check_constraints(table)}
        if f"ck_{table}_{column}" in names:
            found.add((table, column))
    return found


def test_models_and_migrations_constrain_every_state_column(database_url):
    models = {(c.table.name, c.name) for t in Base.metadata.tables.values() for c in t.columns}
    assert models >= STATE_COLUMNS
    engine = make_engine(database_url)
    config = Config("alembic.ini")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["configure_logger"] = False
        command.upgrade(config, "head")
    with engine.connect() as connection:
        assert _check_constraints(connection) == STATE_COLUMNS
    engine.dispose()
