"""Migrations: upgrade on an empty database, no drift from the models, down to base and up;
and the ones that move data, on data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    column,
    func,
    inspect,
    select,
    table,
)
from sqlalchemy.orm import Session

from bot.db import make_engine
from bot.models import Base, Feedback
from bot.models.base import UTCDateTime
from bot.services.checkins import plan_checkins
from tests.conftest import NOW
from tests.pair_factories import make_pair


def _config(connection) -> Config:
    config = Config("alembic.ini")
    config.attributes["connection"] = connection
    config.attributes["configure_logger"] = False
    return config


def _diff(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


def test_upgrade_matches_models_and_round_trips(database_url):
    engine = make_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(_config(connection), "head")
    with engine.connect() as connection:
        assert _diff(connection) == []
        tables = set(inspect(connection).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with engine.begin() as connection:
        command.downgrade(_config(connection), "base")
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    with engine.begin() as connection:
        command.upgrade(_config(connection), "head")
    with engine.connect() as connection:
        assert _diff(connection) == []
    engine.dispose()


def test_feedback_once_keeps_every_word_and_gives_each_check_in_one(database_url):
    """Feedback stored before one-per-check-in: each row gets its check-in, the newest of a
    check-in keeps it, and older ones keep their words without one."""
    engine = make_engine(database_url)
    script = ScriptDirectory.from_config(Config("alembic.ini"))
    with engine.begin() as connection:
        command.upgrade(_config(connection), str(script.get_revision("0009_feedback_once").down_revision))
    with Session(engine) as session, session.begin():
        pair_id = make_pair(session, ("U1", "U2"), agreed_at=NOW)
        plan_checkins(session=session, team_id="T1", now=NOW + timedelta(weeks=1))  # check-in 1
    before = table(
        "feedback",
        *(
            column(name)
            for name in ("id", "team_id", "pair_id", "checkin_number", "author_id", "recipient_id")
        ),
        *(column(name) for name in ("did_well", "suggestion", "ask_next")),
        column("created_at", UTCDateTime()),
    )
    written = [  # id, check-in, written at
        (1, None, NOW + timedelta(days=1)),  # before check-in 1 (0), and a newer one follows
        (2, None, NOW + timedelta(days=2)),  # the newest of check-in 0
        (3, 1, NOW + timedelta(weeks=1, hours=1)),  # from check-in 1's nudge; a newer one follows
        (4, None, NOW + timedelta(weeks=1, hours=2)),  # any time after check-in 1: the newest of 1
    ]
    with engine.begin() as connection:
        for feedback_id, number, at in written:
            connection.execute(
                before.insert().values(
                    id=feedback_id,
                    team_id="T1",
                    pair_id=pair_id,
                    checkin_number=number,
                    author_id="U1",
                    recipient_id="U2",
                    did_well=f"words {feedback_id}",
                    suggestion="s",
                    ask_next="",
                    created_at=at,
                )
            )
        command.upgrade(_config(connection), "head")
    with Session(engine) as session:
        rows = session.execute(
            select(Feedback.id, Feedback.checkin_number, Feedback.did_well, Feedback.edited_at).order_by(
                Feedback.id
            )
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        (1, None, "words 1", None),
        (2, 0, "words 2", None),
        (3, None, "words 3", None),
        (4, 1, "words 4", None),
    ]


def _one_row_each(connection, tables) -> dict[str, int]:
    """Insert one row into every table (parents first), each column given a value its type
    and the later CHECK constraints accept and each foreign key pointing at its parent's row.
    Returns the tables filled, with their row counts (1)."""

    script = ScriptDirectory.from_config(Config("alembic.ini"))
    states = script.get_revision("0006_states").module.STATES
    inserted: dict[str, dict[str, object]] = {}
    for tbl in tables:
        if tbl.name == "alembic_version":
            continue
        row: dict[str, object] = {}
        for col in tbl.columns:
            parents = [fk.column for fk in col.foreign_keys]
            if parents:
                row[col.name] = inserted[parents[0].table.name][parents[0].name]
            elif col.name in states.get(tbl.name, {}):
                row[col.name] = states[tbl.name][col.name][0]
            elif isinstance(col.type, Boolean):
                row[col.name] = False
            elif isinstance(col.type, (Integer, Numeric, Float)):
                row[col.name] = 1
            elif isinstance(col.type, DateTime):
                row[col.name] = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
            elif isinstance(col.type, JSON):
                row[col.name] = {} if "settings" in col.name else []
            elif isinstance(col.type, LargeBinary):
                row[col.name] = b"\x00" * 16
            elif col.name == "team_id":
                row[col.name] = "T1"
            elif col.name.endswith("_id") or col.name.endswith("user"):
                row[col.name] = "U1"
            else:
                row[col.name] = "x"
        connection.execute(tbl.insert().values(**row))
        inserted[tbl.name] = row
    return dict.fromkeys(inserted, 1)


def test_every_row_survives_every_migration_from_0005(database_url):
    """A database at 0005 with a row in every table keeps every row up to head: rebuilding a
    table on SQLite (batch mode) must not cascade-delete the rows that point at it."""
    engine = make_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(_config(connection), "0005_admin_privacy")
    metadata = MetaData()
    with engine.begin() as connection:
        metadata.reflect(connection)
        filled = _one_row_each(connection, metadata.sorted_tables)
    with engine.connect() as connection:
        command.upgrade(_config(connection), "head")
        connection.commit()
    with engine.connect() as connection:
        counts = {
            name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in filled
        }
    engine.dispose()
    assert counts == filled
