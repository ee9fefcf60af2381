"""A web listener's Slack call refused for a rate limit is not lost: it is retried after the
wait Slack asks for, or, past a person's patience, the person is told and can send it again."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator.driver import texts
from bot.ids import PairAction
from tests.app.test_ground_rules_flow import PROPOSAL, paired  # noqa: F401  (a fixture)


def _proposals(fake, channel) -> list[dict]:
    return [m for m in fake.messages(channel) if "proposes ground rules" in texts(m)]


def _propose(slack, fake, channel, intro):
    click = slack.click("U1", PairAction.SET_GROUND_RULES, message=intro, channel=channel, ephemeral=False)
    modal = slack.modal_opened(click)
    ack = slack.submit("U1", modal, PROPOSAL)
    assert ack.status == 200 and ack.json == {}


def test_a_proposal_refused_with_429_is_posted_after_the_wait(slack, fake_slack, paired):  # noqa: F811
    _pair_id, channel, intro = paired
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    _propose(slack, fake_slack, channel, intro)
    fake_slack.wait_for("chat.postMessage", lambda c: c.response.get("channel") == channel, count=2)
    refused = [c for c in fake_slack.calls_to("chat.postMessage") if c.status == 429]
    assert len(refused) == 1
    assert len(_proposals(fake_slack, channel)) == 1


def test_chat_post_messages_own_rate_limited_answer_is_retried(slack, fake_slack, paired):  # noqa: F811
    _pair_id, channel, intro = paired
    fake_slack.fail_next("chat.postMessage", error="rate_limited")
    _propose(slack, fake_slack, channel, intro)
    fake_slack.wait_for("chat.postMessage", lambda c: c.response.get("channel") == channel, count=2)
    assert len(_proposals(fake_slack, channel)) == 1


def test_a_proposal_slack_keeps_refusing_is_saved_and_sent_when_sent_again(
    slack,
    fake_slack,
    clock,
    paired,  # noqa: F811
):
    _pair_id, channel, intro = paired
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=60)  # past a person's patience
    _propose(slack, fake_slack, channel, intro)
    u1_dm = fake_slack.open_app_dm("T1", "U1")
    fake_slack.wait_for("chat.postMessage", lambda c: "too busy" in c.args.get("text", ""))
    [told] = [m for m in fake_slack.messages(u1_dm) if "too busy" in texts(m)]
    assert "is saved" in texts(told) and "<@U2>" in texts(told)
    assert _proposals(fake_slack, channel) == []

    clock.advance(timedelta(minutes=1))
    reply = slack.command("U1", "rules")
    modal = slack.modal_opened(reply)
    assert slack.submit("U1", modal, PROPOSAL).json == {}
    fake_slack.wait_for("chat.postMessage", lambda c: c.response.get("channel") == channel, count=2)
    assert len(_proposals(fake_slack, channel)) == 1
    assert not [m for m in fake_slack.messages(u1_dm) if "already sent" in texts(m)]
