"""Migrations: upgrade on an empty database, no drift from the models, down to base and up;
and the ones that move data, on data."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import column, inspect, select, table
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
