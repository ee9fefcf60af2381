"""Issue 13 through the whole app: a paused person's peer is told once that the pairing is
on hold, and their status says so instead of promising a check-in; an early monthly skip
says the true next date."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator.driver import texts
from bot.ids import CheckinAction
from bot.jobs.tick import run_tick
from tests.app.conftest import TOKEN
from tests.pair_factories import make_pair


def tick(fake_slack, database_url, now):
    return run_tick(database_url=database_url, api_url=fake_slack.api_url, tokens=lambda _t: TOKEN, now=now)


def test_a_paused_peer_puts_the_pairing_on_hold_and_the_peer_is_told_once(
    slack, runtime, fake_slack, clock, database_url
):
    with runtime.deps.session_factory.begin() as session:
        make_pair(session, ("U1", "U2"), agreed_at=clock() - timedelta(days=2))
    assert "Next check-in" in texts(slack.command("U2", "status").json)

    assert slack.command("U1", "pause 2").status == 200
    status = texts(slack.command("U2", "status").json)
    assert "on hold until" in status and "Next check-in" not in status

    tick(fake_slack, database_url, clock())
    tick(fake_slack, database_url, clock() + timedelta(hours=2))
    peer = fake_slack.messages(fake_slack.dm_channel("T1", ["U2"]) or "")
    told = [m for m in peer if "stepped away until" in texts(m)]
    assert len(told) == 1 and "<@U1>" in texts(told[0])
    # The week's check-in passes quietly for the peer too: nothing promised, nothing sent.
    tick(fake_slack, database_url, clock() + timedelta(days=5))
    peer = fake_slack.messages(fake_slack.dm_channel("T1", ["U2"]) or "")
    assert not any("Did you and" in texts(m) for m in peer)

    # Back early: the hold lifts and a true next date is shown.
    assert slack.command("U1", "resume").status == 200
    status = texts(slack.command("U2", "status").json)
    assert "on hold" not in status and "Next check-in" in status


def test_skipping_an_early_monthly_check_in_names_the_coming_month(slack, runtime, clock):
    with runtime.deps.session_factory.begin() as session:
        make_pair(session, ("U1", "U2"), agreed_at=clock() - timedelta(days=3), frequency="monthly")
    reply = slack.command("U1", "checkin")
    click = slack.click("U1", CheckinAction.SKIP, message=reply.json)
    [answer] = slack.responses(click)
    # Agreed 1 March (the suite's clock is 4 March): the next check-in is 1 April, not 1 May.
    assert "Skipped this time" in texts(answer)
    assert "|01 Apr 2026>" in texts(answer)
    # And status agrees for the peer.
    assert "|01 Apr 2026>" in texts(slack.command("U2", "status").json)


def test_one_members_we_met_is_the_pairs_answer_and_shows_in_both_messages(
    slack, runtime, fake_slack, clock, database_url
):
    with runtime.deps.session_factory.begin() as session:
        make_pair(session, ("U1", "U2"), agreed_at=clock() - timedelta(weeks=1))
    assert tick(fake_slack, database_url, clock()).sent == 2
    mine, theirs = fake_slack.dm_channel("T1", ["U1"]), fake_slack.dm_channel("T1", ["U2"])
    [question] = fake_slack.messages(mine)
    [peer_question] = fake_slack.messages(theirs)

    slack.click("U1", CheckinAction.MET, message=question, channel=mine, ephemeral=False)
    fake_slack.wait_for("chat.update", lambda c: c.args["ts"] == peer_question["ts"])
    [updated] = fake_slack.messages(theirs)
    assert "<@U1> answered for you both: you met" in texts(updated)
    assert "Skip this time" not in texts(updated)

    # A stale click on the peer's old buttons does not record a different answer.
    slack.click("U2", CheckinAction.SKIP, message=peer_question, channel=theirs, ephemeral=False)
    fake_slack.wait_for("chat.update", lambda c: c.args["ts"] == peer_question["ts"], count=2)
    assert "answered for you both: you met" in texts(fake_slack.messages(theirs)[0])
    status = texts(slack.command("U2", "status").json)
    assert "Skipped" not in status


def test_a_check_in_due_before_working_hours_shows_the_day_it_arrives(
    slack, runtime, fake_slack, clock, database_url
):
    from datetime import UTC, datetime

    agreed = datetime(2026, 12, 2, 5, 56, tzinfo=UTC)  # a Wednesday, 05:56 in London
    with runtime.deps.session_factory.begin() as session:
        make_pair(session, ("U1", "U2"), agreed_at=agreed)
    clock.current = datetime(2026, 12, 9, 6, 0, tzinfo=UTC)  # a week on, before working hours
    assert tick(fake_slack, database_url, clock()).sent == 0
    status = texts(slack.command("U1", "status").json)
    assert "|09 Dec 2026>" in status and "16 Dec" not in status
    # Hour by hour through that morning: it arrives on the day shown.
    for hour in range(7, 11):
        tick(fake_slack, database_url, datetime(2026, 12, 9, hour, 0, tzinfo=UTC))
    [question] = fake_slack.messages(fake_slack.dm_channel("T1", ["U1"]))
    assert "Did you and <@U2> meet" in texts(question)
