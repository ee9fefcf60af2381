"""Logging, configured once by each entry point (web, worker), and kept free of people's words.

People type their goals, ground rules and feedback into this app; none of it may reach a log
line, at any level, whatever fails. Log calls in this codebase name what happened, never what
was typed; what is not under its control is made safe here, once, for every logger:

- an exception's message is replaced by a summary that cannot carry data: its type, for a
  database error the driver's error class, SQLite's own message (which names constraints
  and columns, never values) or PostgreSQL's SQLSTATE code (its messages can quote a value:
  `invalid input syntax …: "<value>"`, `Failing row contains (…)`), and the SQL statement
  without its parameters; for a Slack API error its error code. Tracebacks keep their frames
  (file, line, code), which hold no data, and every exception in the chain is treated alike;
- an exception passed as a log argument is rendered the same way;
- Slack's libraries log request and response bodies at DEBUG, SQLAlchemy result rows;
  their records below INFO are blanked whatever LOG_LEVEL says (SQLAlchemy's INFO lines
  show statements, with parameters hidden).

Engines are also created with `hide_parameters=True` (bot/db.py), so SQLAlchemy's error
text carries no parameters to begin with.
"""

from __future__ import annotations

import logging
import sqlite3
import traceback
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import StatementError

# Loggers that write request or response bodies, or result rows (SQLAlchemy), at DEBUG.
_BODY_LOGGERS = ("slack_sdk", "slack_bolt", "waitress.queue", "urllib3", "sqlalchemy")
_installed = False


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger().level
    for name in ("slack_sdk", "slack_bolt", "waitress.queue", "urllib3"):
        logging.getLogger(name).setLevel(max(logging.INFO, root))
    logging.getLogger("sqlalchemy").setLevel(max(logging.WARNING, root))  # INFO: every statement
    install_redaction()


def install_redaction() -> None:
    """Make every log record, from any logger, safe as it is created (once per process).

    A record factory, rather than a handler filter, so no handler can be added later (by
    gunicorn, by a test's log capture) that sees a record before it is made safe.
    """
    global _installed
    if _installed:
        return
    _installed = True
    original = logging.getLogRecordFactory()

    def safe_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = original(*args, **kwargs)
        _make_safe(record)
        return record

    logging.setLogRecordFactory(safe_record)


def _make_safe(record: logging.LogRecord) -> None:
    if record.name.startswith(_BODY_LOGGERS) and record.levelno < logging.INFO:
        record.msg, record.args = "(a debug record that may hold bodies or rows, blanked)", ()
    if isinstance(record.msg, BaseException):
        record.msg = summary(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(summary(a) if isinstance(a, BaseException) else a for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: summary(v) if isinstance(v, BaseException) else v for k, v in record.args.items()}
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = safe_traceback(record.exc_info[1])
        record.exc_info = None


def summary(error: BaseException) -> str:
    """One line about an exception that holds none of the data it was raised over."""
    name = type(error).__name__
    if isinstance(error, StatementError):
        orig = error.orig
        driver = f" ({type(orig).__module__}.{type(orig).__name__}) {_driver_message(orig)}" if orig else ""
        statement = " ".join(str(error.statement or "").split())[:300]
        return f"{name}:{driver} [SQL: {statement}]"
    if isinstance(error, SlackApiError):
        code = error.response.get("error") if error.response is not None else None
        return f"{name}: {code}"
    if isinstance(error, sqlite3.Error):
        return f"{name}: {_driver_message(error)}"
    return f"{name} (message hidden: it may hold what a person typed)"


def _driver_message(error: BaseException) -> str:
    if isinstance(error, sqlite3.Error):
        return str(error).splitlines()[0] if str(error) else ""
    sqlstate = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return f"SQLSTATE {sqlstate}" if sqlstate else "(message hidden)"


def safe_traceback(error: BaseException) -> str:
    """A traceback of the whole chain, frames as usual, each exception line by `summary`."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    parts: list[str] = []
    for index, exc in enumerate(reversed(chain)):
        if index:
            parts.append("\nDuring handling of the above exception, another exception occurred:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(exc.__traceback__))
        parts.append(summary(exc) + "\n")
    return "".join(parts).rstrip("\n")
