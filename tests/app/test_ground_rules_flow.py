"""Agreeing ground rules end to end: signed requests in, what each person sees in the fake Slack."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.emulator import problems
from bot.emulator.driver import button_labels, texts
from bot.ids import PairAction, RulesAction, RulesField
from bot.models import MatchRound, Pair, PairMember, RulesProposal
from bot.services import profiles
from tests.app.conftest import TOKEN
from tests.app.test_onboarding import join

PROPOSAL = {
    RulesField.CONFIDENTIAL: {RulesAction.INPUT: ["yes"]},
    RulesField.CONFIDENTIALITY_EXCEPTIONS: {RulesAction.INPUT: "Unless someone's safety is at risk"},
    RulesField.OFF_LIMITS: {RulesAction.INPUT: "Salaries & <reorgs>"},
    RulesField.MY_GOAL: {RulesAction.INPUT: "Present to leadership with confidence"},
    RulesField.FEEDBACK_COMMITMENT: {RulesAction.INPUT: ["yes"]},
    RulesField.RESPECT_COMMITMENT: {RulesAction.INPUT: ["yes"]},
}


def make_pair(runtime, clock, *users, team="T1") -> int:
    with runtime.deps.session_factory.begin() as session:
        profiles.ensure_workspace(session=session, team_id=team, now=clock())
        round_ = MatchRound(
            team_id=team,
            started_at=clock(),
            seed=1,
            trigger="admin",
            odd_person="trio",
            eligible_count=len(users),
            pair_count=1,
            trio_count=0,
            waitlisted_count=0,
        )
        session.add(round_)
        session.flush()
        pair = Pair(team_id=team, round_id=round_.id, created_at=clock(), status="new", score=9.0, reasons=[])
        pair.members = [PairMember(team_id=team, user_id=user) for user in users]
        session.add(pair)
        session.flush()
        return pair.id


def post_intro(fake, pair_id, *users, team="T1"):
    """What the matching feature posts: a group DM introducing the pair, with the rules button."""
    client = WebClient(token=TOKEN, base_url=fake.api_url)
    channel = client.conversations_open(users=",".join(users))["channel"]["id"]
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Meet your peer!"}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Set our ground rules"},
                    "action_id": PairAction.SET_GROUND_RULES,
                    "value": str(pair_id),
                }
            ],
        },
    ]
    client.chat_postMessage(channel=channel, text="Meet your peer!", blocks=blocks)
    return channel, fake.messages(channel, team_id=team)[-1]


def valid_modal(fake, modal):
    """The view as the app sent it (the fake rejects invalid ones, this says why)."""
    [call] = [c for c in fake.calls_to("views.open") if c.ok and c.response["view"]["id"] == modal["id"]]
    return problems("modal", call.args["view"]) == []


def valid_message(message):
    return problems("message", {"text": message["text"], "blocks": message["blocks"]}) == []


def pair_row(runtime, pair_id):
    with runtime.deps.session_factory.begin() as session:
        return session.execute(select(Pair.status).where(Pair.id == pair_id)).scalar_one()


def versions(runtime, pair_id):
    with runtime.deps.session_factory.begin() as session:
        return session.execute(
            select(RulesProposal.version, RulesProposal.status)
            .where(RulesProposal.pair_id == pair_id)
            .order_by(RulesProposal.version)
        ).all()


def the_message(fake, channel, count, *, with_text):
    """Wait for `count` app messages in the pair's conversation; return the one saying `with_text`."""
    fake.wait_for("chat.postMessage", lambda c: c.response["channel"] == channel, count=count)
    return next(m for m in reversed(fake.messages(channel)) if with_text in texts(m))


@pytest.fixture
def paired(slack, runtime, clock, fake_slack):
    join(slack, "U1")
    join(slack, "U2")
    pair_id = make_pair(runtime, clock, "U1", "U2")
    channel, intro = post_intro(fake_slack, pair_id, "U1", "U2")
    return pair_id, channel, intro


def test_two_people_agree_their_rules_from_the_intro_button(slack, runtime, clock, fake_slack, paired):
    pair_id, channel, intro = paired

    # Ann opens the modal from the intro: pre-filled with what both profiles say (weekly, video).
    click = slack.click("U1", PairAction.SET_GROUND_RULES, message=intro, channel=channel, ephemeral=False)
    assert click.status == 200
    modal = slack.modal_opened(click)
    assert valid_modal(fake_slack, modal)
    blocks = {b.get("block_id"): b for b in modal["blocks"]}
    assert blocks[RulesField.FREQUENCY]["element"]["initial_option"]["value"] == "weekly"
    assert [o["value"] for o in blocks[RulesField.MEETING_WAYS]["element"]["initial_options"]] == ["video"]
    ack = slack.submit("U1", modal, PROPOSAL)
    assert ack.status == 200 and ack.json == {}

    # Bob sees the proposal in their group DM, with Agree / Suggest changes.
    proposal = the_message(fake_slack, channel, 2, with_text="proposes ground rules")
    assert valid_message(proposal)
    assert button_labels(proposal) == ["Agree", "Suggest changes"]
    body = texts(proposal)
    assert "Every week" in body and "Salaries &amp; &lt;reorgs&gt;" in body and "Waiting for <@U2>" in body
    assert versions(runtime, pair_id) == [(1, "pending")]

    # Bob suggests a change; a goal that is too long and an unticked box come back inline.
    click = slack.click("U2", RulesAction.SUGGEST_CHANGES, message=proposal, channel=channel, ephemeral=False)
    counter = slack.modal_opened(click)
    assert counter["title"]["text"] == "Suggest changes" and valid_modal(fake_slack, counter)
    assert "Present to leadership with confidence" in texts(counter)  # Ann's goal, for Bob to read
    bad = {
        RulesField.FREQUENCY: {RulesAction.INPUT: "biweekly"},
        RulesField.MY_GOAL: {RulesAction.INPUT: "x" * 201},
        RulesField.RESPECT_COMMITMENT: {RulesAction.INPUT: []},
    }
    ack = slack.submit("U2", counter, bad)
    assert ack.json["response_action"] == "errors"
    assert set(ack.json["errors"]) == {RulesField.MY_GOAL, RulesField.RESPECT_COMMITMENT}
    assert versions(runtime, pair_id) == [(1, "pending")]  # nothing half-saved
    good = {**bad, RulesField.MY_GOAL: {RulesAction.INPUT: "Run calmer meetings"}}
    good[RulesField.RESPECT_COMMITMENT] = {RulesAction.INPUT: ["yes"]}
    ack = slack.submit("U2", counter, good)
    assert ack.json == {}
    assert versions(runtime, pair_id) == [(1, "superseded"), (2, "pending")]

    # The first proposal is edited so it can't be answered any more; the new one goes to Ann.
    changes = the_message(fake_slack, channel, 3, with_text="suggests changes")
    assert valid_message(changes)
    assert "Every two weeks" in texts(changes) and "Run calmer meetings" in texts(changes)
    fake_slack.wait_for("chat.update", lambda c: c.args["ts"] == proposal["ts"])
    old = next(m for m in fake_slack.messages(channel) if m["ts"] == proposal["ts"])
    assert button_labels(old) == [] and "replaced by version 2" in texts(old)

    # Agreeing to the old version (say, from a stale client) is refused politely.
    stale = slack.click("U1", RulesAction.AGREE, message=proposal, channel=channel, ephemeral=False)
    [answer] = slack.responses(stale)
    assert "replaced by a newer one (version 2)" in answer["text"] and answer.get("replace_original") is False

    # Ann agrees: the proposal loses its buttons, everyone gets the final rules, the pair is active.
    clock.advance(timedelta(minutes=5))
    click = slack.click("U1", RulesAction.AGREE, message=changes, channel=channel, ephemeral=False)
    assert click.status == 200
    confirmation = the_message(fake_slack, channel, 4, with_text="agreed your ground rules")
    assert valid_message(confirmation)
    final = texts(confirmation)
    assert "Every two weeks" in final and "Unless someone's safety is at risk" in final
    assert "Present to leadership with confidence" in final and "Run calmer meetings" in final
    fake_slack.wait_for("chat.update", lambda c: c.args["ts"] == changes["ts"])
    answered = next(m for m in fake_slack.messages(channel) if m["ts"] == changes["ts"])
    assert button_labels(answered) == [] and "agreed" in texts(answered)
    # The rules are said in full once: in the confirmation, not again in the answered proposal.
    assert "Run calmer meetings" not in texts(answered) and "in the message below" in texts(answered)
    assert sum("Run calmer meetings" in texts(m) for m in fake_slack.messages(channel)) == 1
    assert pair_row(runtime, pair_id) == "active"
    assert versions(runtime, pair_id) == [(1, "superseded"), (2, "agreed")]
    for message in fake_slack.messages(channel):
        assert valid_message(message)

    # A second click changes nothing and says so.
    again = slack.click("U1", RulesAction.AGREE, message=changes, channel=channel, ephemeral=False)
    assert "already agreed by everyone" in slack.responses(again)[0]["text"]

    # Both see the rules in force in `status`; nobody else sees them.
    for user in ("U1", "U2"):
        status = texts(slack.command(user, "status").json)
        assert "Our ground rules* (version 2" in status and "Salaries &amp; &lt;reorgs&gt;" in status


def test_someone_outside_the_pair_is_refused_politely(slack, runtime, fake_slack, paired):
    pair_id, channel, intro = paired
    modal = slack.modal_opened(slack.command("U1", "rules"))
    slack.submit("U1", modal, PROPOSAL)
    proposal = the_message(fake_slack, channel, 2, with_text="proposes ground rules")

    for action in (RulesAction.AGREE, RulesAction.SUGGEST_CHANGES):
        started = time.monotonic()
        click = slack.click("U3", action, message=proposal, channel=channel, ephemeral=False)
        # Answered well inside Slack's 3 seconds (a refusal raised after ack() once took 3 s).
        assert click.status == 200 and time.monotonic() - started < 2
        [answer] = slack.responses(click)
        assert "Only the people in a pairing" in answer["text"]
    click = slack.click("U3", PairAction.SET_GROUND_RULES, message=intro, channel=channel, ephemeral=False)
    assert "Only the people in a pairing" in slack.responses(click)[0]["text"]
    assert not fake_slack.open_modal_stack("T1", "U3")
    assert versions(runtime, pair_id) == [(1, "pending")] and pair_row(runtime, pair_id) == "new"
    assert "Salaries" not in texts(slack.command("U3", "status").json)


def test_rules_from_the_command_and_app_home(slack, runtime, fake_slack, paired):
    pair_id, channel, _ = paired
    # Nobody to agree with yet: a kind word, not a modal.
    reply = slack.command("U4", "rules")
    assert reply.status == 200 and "don't have a peer yet" in texts(reply.json)

    home = slack.open_home("U2")
    assert "not agreed yet" in texts(home) and "Propose ground rules" in button_labels(home)
    click = slack.click("U2", PairAction.SET_GROUND_RULES, view=home)
    modal = slack.modal_opened(click)
    assert modal["title"]["text"] == "Our ground rules"
    assert slack.submit("U2", modal, PROPOSAL).json == {}
    the_message(fake_slack, channel, 2, with_text="proposes ground rules")

    # Ann answers from her App Home; the notice says what happened.
    home = slack.open_home("U1")
    assert {"Agree", "Suggest changes"} <= set(button_labels(home))
    before = len(slack.published_homes("U1"))
    slack.click("U1", RulesAction.AGREE, view=home)
    home = slack.wait_home("U1", count=before + 1)
    assert "Everyone has agreed" in texts(home) and "Our ground rules* (version 1" in texts(home)
    the_message(fake_slack, channel, 3, with_text="agreed your ground rules")
    assert pair_row(runtime, pair_id) == "active"


def test_help_lists_rules(slack):
    assert "/peer-mentor rules" in texts(slack.command("U1", "help").json)
