"""Follow-up work gives way to requests that are being answered, but never for long."""

from __future__ import annotations

import threading
import time

from bot.listeners import ack_first
from bot.listeners.ack_first import AcksInFlight


def test_a_follow_up_runs_at_once_when_nothing_is_being_answered():
    started = time.monotonic()
    AcksInFlight().wait_until_quiet(queued_at=started)
    assert time.monotonic() - started < ack_first.FOLLOW_UP_MAX_DELAY


def test_a_follow_up_waits_for_the_answer_in_flight_and_goes_when_it_is_sent(monkeypatch):
    monkeypatch.setattr(ack_first, "FOLLOW_UP_MAX_DELAY", 30.0)
    acks = AcksInFlight()
    entered, release, followed_up = threading.Event(), threading.Event(), threading.Event()

    def answer() -> None:
        with acks.answering():
            entered.set()
            release.wait(10)

    def follow_up() -> None:
        acks.wait_until_quiet(queued_at=time.monotonic())
        followed_up.set()

    answering = threading.Thread(target=answer)
    answering.start()
    assert entered.wait(10)
    following = threading.Thread(target=follow_up)
    following.start()
    assert not followed_up.wait(0.1), "the follow-up ran while a request was being answered"
    release.set()
    assert followed_up.wait(10), "the follow-up did not run once the answer was sent"
    answering.join(10)
    following.join(10)


def test_under_sustained_load_a_follow_up_waits_no_longer_than_the_limit(monkeypatch):
    monkeypatch.setattr(ack_first, "FOLLOW_UP_MAX_DELAY", 0.05)
    acks = AcksInFlight()
    with acks.answering():
        started = time.monotonic()
        acks.wait_until_quiet(queued_at=started)
        waited = time.monotonic() - started
    assert 0.05 <= waited < 5


def test_a_follow_up_queued_longer_than_the_limit_ago_does_not_wait(monkeypatch):
    monkeypatch.setattr(ack_first, "FOLLOW_UP_MAX_DELAY", 30.0)
    acks = AcksInFlight()
    with acks.answering():
        started = time.monotonic()
        acks.wait_until_quiet(queued_at=started - 31.0)
        assert time.monotonic() - started < 5
