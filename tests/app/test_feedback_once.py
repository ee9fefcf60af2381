"""One feedback per person, peer and check-in, end to end: signed requests in, the real worker
delivering, and what the peer finally has in their DM (exactly one message) and what the
author is told when they submit again."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from bot.emulator import signed_requests as sr
from bot.emulator.driver import texts
from bot.ids import CheckinAction, FeedbackField
from bot.jobs.tick import run_tick
from bot.models import Feedback
from tests.app.conftest import SECRET, TOKEN
from tests.pair_factories import make_pair

FIRST = ("You untangled the retry logic for me", "Share the draft a day earlier")
SECOND = ("You ran a calm, focused review", "Leave five minutes for questions")


def answers(words: tuple[str, str]) -> dict:
    did_well, suggestion = words
    return {
        FeedbackField.DID_WELL: {CheckinAction.INPUT: did_well},
        FeedbackField.SUGGESTION: {CheckinAction.INPUT: suggestion},
    }


def tick(fake_slack, database_url, now):
    return run_tick(database_url=database_url, api_url=fake_slack.api_url, tokens=lambda _t: TOKEN, now=now)


def received(fake_slack) -> list[str]:
    """Every message the app has posted in U2's DM, as U2 sees it."""
    channel = fake_slack.dm_channel("T1", ["U2"])
    return [texts(m) for m in fake_slack.messages(channel)] if channel else []


def posts_to_u2(fake_slack) -> int:
    channel = fake_slack.dm_channel("T1", ["U2"])
    return sum(
        1 for c in fake_slack.calls_to("chat.postMessage") if c.ok and c.response["channel"] == channel
    )


def stored_feedback(runtime) -> int:
    with runtime.deps.session_factory.begin() as session:
        return session.scalar(select(func.count()).select_from(Feedback)) or 0


def paired(runtime, clock) -> None:
    with runtime.deps.session_factory.begin() as session:
        make_pair(session, ("U1", "U2"), agreed_at=clock() - timedelta(days=2))


def test_a_second_submission_before_delivery_is_one_message_with_the_latest_words(
    slack, runtime, fake_slack, clock, database_url
):
    paired(runtime, clock)
    first = slack.modal_opened(slack.command("U1", "feedback"))
    ack = slack.submit("U1", first, answers(FIRST))
    assert "Your feedback goes to <@U2> now" in texts(ack.json["view"])

    # Opened again before the worker's tick: the modal holds what they wrote, to change.
    again = slack.modal_opened(slack.command("U1", "feedback"))
    assert FIRST[0] in str(again["blocks"]) and "replaces it" in texts(again)
    ack = slack.submit("U1", again, answers(SECOND))
    shown = texts(ack.json["view"])
    assert "Updated. <@U2> gets your new words now instead of what you wrote before" in shown

    tick(fake_slack, database_url, clock() + timedelta(minutes=1))
    feedback_dms = [m for m in received(fake_slack) if "shared some feedback" in m]
    assert len(feedback_dms) == 1 and posts_to_u2(fake_slack) == 1
    assert SECOND[0] in feedback_dms[0] and SECOND[1] in feedback_dms[0]
    assert FIRST[0] not in feedback_dms[0]
    assert stored_feedback(runtime) == 1

    tick(fake_slack, database_url, clock() + timedelta(days=1))
    assert posts_to_u2(fake_slack) == 1


def test_after_delivery_a_second_submission_is_refused_saying_when_it_went(
    slack, runtime, fake_slack, clock, database_url
):
    paired(runtime, clock)
    first = slack.modal_opened(slack.command("U1", "feedback"))
    slack.submit("U1", first, answers(FIRST))
    # Opened again to change it, and the worker delivers it while they type.
    late = slack.modal_opened(slack.command("U1", "feedback"))
    delivered_at = clock() + timedelta(minutes=1)
    assert tick(fake_slack, database_url, delivered_at).sent == 1
    clock.advance(timedelta(minutes=30))

    ack = slack.submit("U1", late, answers(SECOND))
    assert ack.status == 200 and ack.json["response_action"] == "update"
    assert ack.json["view"]["title"]["text"] == "Already sent"
    refusal = texts(ack.json["view"])
    assert "You already sent <@U2> your feedback for this check-in" in refusal
    # When: Slack shows the instant it reached them in the reader's own time zone.
    reached = re.search(r"\(it reached them <!date\^(\d+)\^\{date_long_pretty\} at \{time\}\|", refusal)
    assert reached and 0 <= int(reached[1]) - delivered_at.timestamp() < 60
    assert "this one wasn't sent and nothing was changed" in refusal
    assert "after your next check-in" in refusal

    # The command no longer opens a modal for words that can't be sent; it says why.
    reply = slack.command("U1", "feedback")
    assert "You already sent <@U2> your feedback for this check-in" in texts(reply.json)
    assert not [c for c in fake_slack.calls_to("views.open") if c.args.get("trigger_id") == reply.trigger_id]

    tick(fake_slack, database_url, clock() + timedelta(days=1))
    feedback_dms = [m for m in received(fake_slack) if "shared some feedback" in m]
    assert len(feedback_dms) == 1 and FIRST[0] in feedback_dms[0] and SECOND[0] not in feedback_dms[0]
    assert posts_to_u2(fake_slack) == 1 and stored_feedback(runtime) == 1


def test_the_same_submission_28_times_is_one_row_and_one_message(
    slack, runtime, fake_slack, clock, database_url
):
    paired(runtime, clock)
    modal = slack.modal_opened(slack.command("U1", "feedback"))

    def submitted():
        return slack.post(
            sr.view_submission(
                SECRET,
                team_id="T1",
                user_id="U1",
                view=modal,
                values=sr.state_values(modal, answers(FIRST)),
                trigger_id=fake_slack.new_trigger_id("T1", "U1"),
                timestamp=slack.timestamp(),
            )
        )

    replies = [submitted() for _ in range(28)]
    assert {r.status for r in replies} == {200}
    assert all("Your feedback goes to <@U2> now" in texts(r.json["view"]) for r in replies)
    tick(fake_slack, database_url, clock() + timedelta(minutes=1))
    # Once more just after it arrived (a client retrying): still the same submission.
    clock.advance(timedelta(minutes=2))
    assert "Your feedback has reached <@U2>" in texts(submitted().json["view"])
    tick(fake_slack, database_url, clock() + timedelta(days=1))

    assert posts_to_u2(fake_slack) == 1
    assert sum("shared some feedback" in m for m in received(fake_slack)) == 1
    assert stored_feedback(runtime) == 1
