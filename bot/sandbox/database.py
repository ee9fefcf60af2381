"""The sandbox's own SQLite file: created afresh at every start, migrated to head with Alembic.

If the migrations cannot build the models' schema (a revision missing or behind the models
while features land), the schema is created from the models instead, with a warning: the
sandbox is for trying the app, and it should open even then.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from bot.db import make_engine
from bot.models import Base

logger = logging.getLogger(__name__)

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def fresh_database(path: Path) -> tuple[Engine, str]:
    """An engine on a new, empty database at `path` with the app's schema, and how it was
    built: "alembic" or "models"."""
    _remove(path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    try:
        # Alembic warns (UserWarning) about a broken revision chain before it fails; the
        # warning is part of the problem reported below, not noise for the console.
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            _upgrade(engine)
        return engine, "alembic"
    except Exception as problem:  # any failure here falls back to the models' schema
        details = "; ".join(str(w.message) for w in said)
        logger.warning(
            "Alembic could not build the sandbox database (%s%s); creating the schema from the models "
            "instead. Tell whoever maintains the migrations.",
            problem,
            f": {details}" if details else "",
        )
    engine.dispose()
    _remove(path)
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    return engine, "models"


def _upgrade(engine: Engine) -> None:
    if not ALEMBIC_INI.is_file():
        raise FileNotFoundError(ALEMBIC_INI)
    config = Config(str(ALEMBIC_INI))
    config.attributes["configure_logger"] = False
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with engine.connect() as connection:
        drift = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    if drift:
        raise RuntimeError(f"the migrations at head differ from the models ({len(drift)} differences)")


def _remove(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        candidate.unlink(missing_ok=True)
