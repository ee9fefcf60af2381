"""Check-ins and feedback end to end: the real worker sends the check-in, the real app takes
the clicks and the modal, and the peer receives the feedback by DM — all through the fake."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator import problems
from bot.emulator.driver import button_labels, texts
from bot.ids import CheckinAction, FeedbackField
from bot.jobs.tick import run_tick
from tests.app.conftest import TOKEN
from tests.pair_factories import make_pair

DID_WELL = "You explained the <retry> logic & its Zanzibar edge cases clearly"
SUGGESTION = "Share the draft a day earlier"
ASK_NEXT = "How I run the planning meeting"


def tick(runtime, fake_slack, database_url, now):
    return run_tick(database_url=database_url, api_url=fake_slack.api_url, tokens=lambda _t: TOKEN, now=now)


def test_we_met_then_feedback_reaches_the_peer_by_dm_only(slack, runtime, fake_slack, clock, database_url):
    with runtime.deps.session_factory.begin() as session:
        make_pair(session, ("U1", "U2"), agreed_at=clock() - timedelta(weeks=1))
    assert tick(runtime, fake_slack, database_url, clock()).sent == 2

    # U1's check-in: the question, a conversation starter and three answers.
    channel = fake_slack.dm_channel("T1", ["U1"])
    [question] = fake_slack.messages(channel)
    assert "Did you and <@U2> meet" in texts(question) and "Something to talk about" in texts(question)
    assert button_labels(question) == ["We met", "Not yet — remind me in a few days", "Skip this time"]
    assert problems("message", question) == []

    reply = slack.click("U1", CheckinAction.MET, message=question, channel=channel, ephemeral=False)
    assert reply.status == 200
    fake_slack.wait_for("chat.update", lambda c: c.args["ts"] == question["ts"])
    [answered] = fake_slack.messages(channel)
    # Updated in place: no way to answer twice, and a feedback button instead.
    assert "You met <@U2>" in texts(answered) and button_labels(answered) == ["Give feedback"]
    assert "Give feedback" in texts(answered)

    # A second click on a stale copy of the question changes nothing.
    again = slack.click("U1", CheckinAction.SKIP, message=question, channel=channel, ephemeral=False)
    assert again.status == 200
    fake_slack.wait_for("chat.update", lambda c: c.args["ts"] == question["ts"], count=2)
    assert "You met <@U2>" in texts(fake_slack.messages(channel)[0])

    click = slack.click("U1", CheckinAction.GIVE_FEEDBACK, message=answered, channel=channel, ephemeral=False)
    modal = slack.modal_opened(click)
    assert modal["title"]["text"] == "Feedback for your peer"
    ack = slack.submit(
        "U1",
        modal,
        {
            FeedbackField.DID_WELL: {CheckinAction.INPUT: DID_WELL},
            FeedbackField.SUGGESTION: {CheckinAction.INPUT: SUGGESTION},
            FeedbackField.ASK_NEXT: {CheckinAction.INPUT: ASK_NEXT},
        },
    )
    assert ack.status == 200 and ack.json["response_action"] == "update"
    assert "goes to <@U2>" in texts(ack.json["view"])

    # The next tick delivers it: to U2, by DM, with the words escaped for Slack.
    tick(runtime, fake_slack, database_url, clock() + timedelta(minutes=1))
    peer = fake_slack.messages(fake_slack.dm_channel("T1", ["U2"]) or "")
    [received] = [m for m in peer if "shared some feedback" in texts(m)]
    shown = texts(received)
    assert "You explained the &lt;retry&gt; logic &amp; its Zanzibar edge cases clearly" in shown
    assert SUGGESTION in shown and ASK_NEXT in shown
    assert "Give feedback back" in texts(received)
    # U2 is also nudged to give feedback in return (the pair met); a check-in and their
    # peer's feedback already came today, so the message budget holds the nudge until
    # their next working day (DESIGN.md §5: at most two unprompted DMs a day).
    assert not any("How did it go with <@U1>" in texts(m) for m in peer)
    tick(runtime, fake_slack, database_url, clock() + timedelta(days=1))
    peer = fake_slack.messages(fake_slack.dm_channel("T1", ["U2"]) or "")
    assert sum("How did it go with <@U1>" in texts(m) for m in peer) == 1

    # Nowhere else: every call that carried the words was the one DM to U2.
    carried = [c for c in fake_slack.calls if "Zanzibar" in str(c.args)]
    assert [(c.method, c.response.get("channel")) for c in carried] == [
        ("chat.postMessage", fake_slack.dm_channel("T1", ["U2"]))
    ]


def test_the_checkin_command_logs_a_meeting_before_the_check_in_comes(
    slack, runtime, fake_slack, clock, database_url
):
    with runtime.deps.session_factory.begin() as session:
        make_pair(session, ("U1", "U2"), agreed_at=clock() - timedelta(days=2))
    reply = slack.command("U1", "checkin")
    assert button_labels(reply.json) == ["We met", "Not yet — remind me in a few days", "Skip this time"]
    click = slack.click("U1", CheckinAction.MET, message=reply.json)
    [answer] = slack.responses(click)
    assert answer["replace_original"] is True and "You met <@U2>" in texts(answer)
    # The week's check-in is then never sent: they already told us.
    report = tick(runtime, fake_slack, database_url, clock() + timedelta(days=5))
    assert not any("Did you and" in c.args.get("text", "") for c in fake_slack.calls_to("chat.postMessage"))
    assert report.sending["cancelled"] == 0


def test_feedback_command_opens_the_modal_or_explains(slack, runtime, clock):
    reply = slack.command("U3", "feedback")
    assert "don't have a peer" in texts(reply.json)
    with runtime.deps.session_factory.begin() as session:
        make_pair(session, ("U1", "U2"), agreed_at=clock() - timedelta(days=2))
    reply = slack.command("U2", "feedback")
    modal = slack.modal_opened(reply)
    assert "Feedback for <@U1>" in texts(modal)
    assert "`/peer-mentor checkin`" in texts(slack.command("U1", "help").json)


def test_the_feedback_modal_asks_for_both_parts(slack, runtime, clock):
    with runtime.deps.session_factory.begin() as session:
        make_pair(session, ("U1", "U2"), agreed_at=clock() - timedelta(days=2))
    modal = slack.modal_opened(slack.command("U1", "feedback"))
    ack = slack.submit("U1", modal, {FeedbackField.DID_WELL: {CheckinAction.INPUT: "  "}})
    assert ack.json["response_action"] == "errors"
    assert set(ack.json["errors"]) == {FeedbackField.DID_WELL, FeedbackField.SUGGESTION}


def test_a_quiet_pair_is_nudged_gently_then_offered_a_choice(slack, runtime, fake_slack, clock, database_url):
    agreed = clock() - timedelta(weeks=4)
    with runtime.deps.session_factory.begin() as session:
        make_pair(session, ("U1", "U2"), agreed_at=agreed)
    for week in range(1, 5):  # nobody answers anything
        tick(runtime, fake_slack, database_url, agreed + timedelta(weeks=week))
    channel = fake_slack.dm_channel("T1", ["U1"])
    messages = fake_slack.messages(channel)
    assert len(messages) == 4
    assert "slipped by" in texts(messages[2]) and "slipped by" not in texts(messages[1])
    offer = messages[3]
    assert button_labels(offer) == ["Keep going", "Pause for 4 weeks", "Find me a new peer"]
    assert problems("message", offer) == []

    slack.click("U1", CheckinAction.KEEP_GOING, message=offer, channel=channel, ephemeral=False)
    fake_slack.wait_for("chat.update", lambda c: c.args["ts"] == offer["ts"])
    assert "keeping going" in texts(fake_slack.messages(channel)[3])

    # The peer chooses a fresh start instead: the pair ends, and U1 hears it kindly.
    peer_channel = fake_slack.dm_channel("T1", ["U2"])
    peer_offer = fake_slack.messages(peer_channel)[3]
    slack.click("U2", CheckinAction.REMATCH, message=peer_offer, channel=peer_channel, ephemeral=False)
    fake_slack.wait_for("chat.update", lambda c: c.args["ts"] == peer_offer["ts"])
    assert "pairing has ended" in texts(fake_slack.messages(peer_channel)[3])
    tick(runtime, fake_slack, database_url, clock() + timedelta(minutes=5))
    ended = texts(fake_slack.messages(channel)[-1])
    assert "After a few quiet weeks, <@U2> chose to find a new peer" in ended
    # And nothing more: the next check-in time passes quietly for both.
    tick(runtime, fake_slack, database_url, clock() + timedelta(weeks=1))
    assert len(fake_slack.messages(channel)) == 5 and len(fake_slack.messages(peer_channel)) == 4
