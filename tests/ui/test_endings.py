"""Each way a pairing ends says its own true reason and what happens next, with a date."""

from datetime import UTC, datetime

import pytest

from bot.emulator.blockkit import problems
from bot.emulator.driver import texts
from bot.services.matching.next_step import NextStep
from bot.ui.endings import pair_ended_message

ROUND = datetime(2026, 12, 14, 10, 0, tzinfo=UTC)
IN_POOL = NextStep(paused=False, paused_until=None, next_round_at=ROUND)


@pytest.mark.parametrize(
    ("reason", "says"),
    [
        ("rematch", "<@U1> asked for a new peer"),
        ("quiet", "After a few quiet weeks, <@U1> chose to find a new peer"),
        ("left", "<@U1> has left the peer-mentoring program"),
        ("gone", "We can no longer reach <@U1> on Slack"),
    ],
)
def test_each_ending_says_its_own_reason_and_the_next_rounds_date(reason, says):
    text, blocks = pair_ended_message(reason=reason, ender_id="U1", peer_ids=("U1",), step=IN_POOL)
    words = texts(blocks)
    assert says in words and "nothing you did" in words
    assert "the next matching round is on <!date^" in words
    assert ("quiet" in words) == (reason == "quiet")
    assert problems("message", {"text": text, "blocks": blocks}) == []


def test_someone_who_deleted_their_data_is_not_named():
    _, blocks = pair_ended_message(reason="deleted", ender_id=None, peer_ids=(), step=IN_POOL)
    words = texts(blocks)
    assert "stepped away" in words and "<@" not in words


def test_a_paused_reader_is_not_promised_the_next_round():
    until = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)
    dated = NextStep(paused=True, paused_until=until, next_round_at=ROUND)
    assert "You're paused until <!date^" in texts(
        pair_ended_message(reason="rematch", ender_id="U1", peer_ids=("U1",), step=dated)[1]
    )
    open_ended = NextStep(paused=True, paused_until=None, next_round_at=ROUND)
    words = texts(pair_ended_message(reason="rematch", ender_id="U1", peer_ids=("U1",), step=open_ended)[1])
    assert "until you resume" in words and "next matching round is on" not in words


def test_without_a_scheduled_round_no_date_is_invented():
    manual = NextStep(paused=False, paused_until=None, next_round_at=None)
    words = texts(pair_ended_message(reason="left", ender_id="U1", peer_ids=("U1",), step=manual)[1])
    assert "when a program admin next runs a round" in words and "<!date^" not in words
