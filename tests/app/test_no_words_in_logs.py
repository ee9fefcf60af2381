"""Nothing a person typed reaches a log line, whatever fails: each failure path is forced in
turn, with every logger at DEBUG, and everything logged or printed is searched for the words."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.emulator.driver import texts
from bot.ids import CheckinAction, FeedbackField, ProfileField
from bot.jobs.tick import run_tick
from bot.listeners.errors import BUSY, SORRY
from tests.app.conftest import TOKEN
from tests.app.test_hardening import _hold_writes, web  # noqa: F401  (the fixture)
from tests.app.test_onboarding import ANSWERS
from tests.pair_factories import make_pair

WORDS = "I am secretly interviewing elsewhere"
ALSO = "Zorblax"  # a second typed word, in another field


@pytest.fixture
def everything_logged(caplog, capfd):
    caplog.set_level(logging.DEBUG)
    for name in ("slack_sdk", "slack_bolt", "sqlalchemy", "urllib3", "waitress"):
        logging.getLogger(name).setLevel(logging.DEBUG)

    def read() -> str:
        out, err = capfd.readouterr()
        records = " ".join(f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records)
        return f"{caplog.text}\n{records}\n{out}\n{err}"

    yield read
    for name in ("slack_sdk", "slack_bolt", "sqlalchemy", "urllib3", "waitress"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def _feedback(slack, user="U1", modal=None):
    modal = modal or slack.modal_opened(slack.command(user, "feedback"))
    return slack.submit(
        user,
        modal,
        {
            FeedbackField.DID_WELL: {CheckinAction.INPUT: WORDS},
            FeedbackField.SUGGESTION: {CheckinAction.INPUT: f"{ALSO}\x00 more often"},
        },
    )


@pytest.fixture
def paired(runtime, clock):
    with runtime.deps.session_factory.begin() as session:
        make_pair(session, ("U1", "U2"), agreed_at=clock() - timedelta(days=2))


def _assert_clean(logged: str) -> None:
    assert WORDS not in logged and ALSO not in logged


def test_a_failing_database_write_logs_no_parameters(slack, runtime, paired, everything_logged):
    modal = slack.modal_opened(slack.command("U1", "feedback"))
    with runtime.engine.begin() as connection:  # the write will fail, with the words as parameters
        connection.execute(text("ALTER TABLE feedback RENAME TO feedback_gone"))
    ack = _feedback(slack, modal=modal)
    assert SORRY in texts(ack.json["view"])
    logged = everything_logged()
    assert "listener failed" in logged and "[SQL: INSERT INTO feedback" in logged
    _assert_clean(logged)


def test_a_nul_byte_the_database_refuses_logs_nothing_typed(
    slack, runtime, paired, everything_logged, monkeypatch
):
    # Forms remove NUL (bot.ui.kit); without that, PostgreSQL refuses the text. Either way the
    # words stay out of the log.
    monkeypatch.setattr("bot.ui.kit.storable", lambda value: value)
    ack = _feedback(slack)
    assert ack.status == 200
    if runtime.engine.dialect.name == "postgresql":
        assert SORRY in texts(ack.json["view"])
    _assert_clean(everything_logged())


def test_an_error_whose_message_quotes_the_input_is_logged_without_it(
    slack, paired, everything_logged, monkeypatch
):
    def echoing(**kwargs):  # as some libraries do: the offending value in the message
        raise ValueError(f"could not store {kwargs['feedback'].did_well!r}")

    monkeypatch.setattr("bot.services.feedback.give_feedback", echoing)
    ack = _feedback(slack)
    assert SORRY in texts(ack.json["view"])
    logged = everything_logged()
    assert "ValueError" in logged
    _assert_clean(logged)


def test_a_busy_database_logs_nothing_typed(web, database_url, everything_logged):  # noqa: F811
    modal = web.modal_opened(web.command("U1", "join"))
    other, connection, transaction = _hold_writes(database_url)
    try:
        ack = web.submit("U1", modal, {**ANSWERS, ProfileField.TEAM_NAME: {"value": f"{WORDS} {ALSO}"}})
        assert BUSY in texts(ack.json["view"])
    finally:
        transaction.rollback()
        connection.close()
        other.dispose()
    _assert_clean(everything_logged())


def test_failing_slack_calls_log_nothing_typed(
    slack, runtime, fake_slack, paired, database_url, clock, everything_logged
):
    assert _feedback(slack).status == 200
    # Delivering it fails: first a Slack error, then a dropped connection after posting.
    fake_slack.fail_next("chat.postMessage", error="internal_error")
    run_tick(database_url=database_url, api_url=fake_slack.api_url, tokens=lambda _t: TOKEN, now=clock())
    fake_slack.fail_next("chat.postMessage", status=500)
    run_tick(
        database_url=database_url,
        api_url=fake_slack.api_url,
        tokens=lambda _t: TOKEN,
        now=clock() + timedelta(minutes=5),
    )
    # A modal that fails to open after the ack.
    fake_slack.fail_next("views.open", error="internal_error")
    slack.command("U1", "feedback")
    runtime.deps.background.shutdown(wait=True)  # the follow-up and its error report are done
    _assert_clean(everything_logged())
