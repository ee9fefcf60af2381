"""Migrations: upgrade on an empty database, no drift from the models, down to base and up."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.db import make_engine
from bot.models import Base


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
