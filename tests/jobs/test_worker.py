"""The worker against the fake Slack Web API: nothing sent twice (a second tick, two workers
at once, a dropped connection), nothing lost (a storm of 429s), people and workspaces Slack
says are gone."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.emulator import FakeSlack
from bot.emulator.driver import texts
from bot.models import OutboxMessage, Pair, Recipient, WorkspaceDelivery
from bot.services import checkins
from tests.jobs.conftest import PEOPLE, TOKENS, add_directory
from tests.pair_factories import make_pair

T0 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday; pairs agree their rules then
DUE = T0 + timedelta(weeks=1)  # the first weekly check-in: 10:00 in London


def pairs(session_factory, team: str, count: int) -> list[int]:
    people = PEOPLE[team]
    with session_factory.begin() as session:
        return [
            make_pair(session, (people[2 * i], people[2 * i + 1]), team_id=team, agreed_at=T0)
            for i in range(count)
        ]


def posts(fake: FakeSlack, team: str | None = None):
    return [c for c in fake.calls_to("chat.postMessage") if c.ok and (team is None or c.team_id == team)]


def keys(fake: FakeSlack, team: str | None = None) -> Counter[str]:
    return Counter(c.args["metadata"]["event_payload"]["key"] for c in posts(fake, team))


def statuses(session_factory) -> Counter[str]:
    with session_factory.begin() as session:
        return Counter(session.scalars(select(OutboxMessage.status)))


def test_check_ins_go_out_once_and_a_second_tick_sends_nothing(session_factory, fake, tick):
    pair_ids = pairs(session_factory, "T1", 3)
    report = tick(DUE)
    assert report.sent == 6
    assert set(keys(fake).values()) == {1}
    expected = {
        f"checkin:{p}:1:{u}"
        for p, i in zip(pair_ids, range(3), strict=True)
        for u in PEOPLE["T1"][2 * i : 2 * i + 2]
    }
    assert set(keys(fake)) == expected
    first = posts(fake)[0]
    assert "Did you and" in texts(first.args) and "We met" in texts(first.args)
    # Sent to the user id; Slack answered with the DM channel, which is now cached.
    assert first.args["channel"].startswith("U") and first.response["channel"].startswith("D")

    assert tick(DUE).sent == 0
    assert tick(DUE + timedelta(hours=3)).sent == 0
    assert len(posts(fake)) == 6
    with session_factory.begin() as session:
        assert all(r.dm_channel_id for r in session.scalars(select(Recipient)))


def test_two_workers_at_once_send_nothing_twice(session_factory, fake, tick):
    pairs(session_factory, "T1", 20)
    pairs(session_factory, "T2", 20)
    reports = []
    start = threading.Barrier(2)

    def worker() -> None:
        start.wait()
        reports.append(tick(DUE))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reports) == 2
    sent = keys(fake)
    assert len(sent) == 80 and set(sent.values()) == {1}
    assert sum(r.sent for r in reports) == 80
    assert statuses(session_factory) == {"sent": 80}


def test_a_storm_of_429s_loses_nothing_and_rows_wait_for_retry_after(session_factory, fake, tick):
    pairs(session_factory, "T1", 5)
    fake.fail_next("chat.postMessage", status=429, retry_after=30, times=3)
    # A short tick: the first 429 parks the workspace beyond its budget.
    report = tick(DUE, budget=timedelta(seconds=5))
    assert report.sending["rate_limited"] == 1 and report.sent == 0
    with session_factory.begin() as session:
        [limited] = session.scalars(
            select(OutboxMessage).where(OutboxMessage.last_error == "ratelimited")
        ).all()
        # Retry-After from the moment of the answer (the tick's clock moves on in real time).
        after = timedelta(seconds=report.seconds)
        assert timedelta(seconds=30) <= limited.due_at - DUE <= timedelta(seconds=30) + after
        assert not limited.in_doubt
    # Later ticks honour Retry-After, take more 429s, and finally send everything once.
    at = DUE
    for _ in range(10):
        at += timedelta(seconds=31)
        tick(at, budget=timedelta(seconds=5))
    assert statuses(session_factory) == {"sent": 10}
    assert len(keys(fake)) == 10 and set(keys(fake).values()) == {1}
    assert sum(1 for c in fake.calls_to("chat.postMessage") if c.status == 429) == 3


def test_a_rate_limited_workspace_is_paced_and_never_stalls_another(session_factory, database_url, engine):
    # Both the fake and the worker run 10 times faster than real time: a minute is 6 seconds,
    # enough for T2's 8 posts on a loaded machine (at 60 times, one second was not, on CI).
    clock = Accelerated(DUE, speed=10)
    fake = FakeSlack(clock=clock.seconds).start()
    try:
        add_directory(fake)
        fake.set_rate_limit("chat.postMessage", per_minute=12)
        pairs(session_factory, "T1", 18)  # 36 prompts: three minutes' worth at 12 a minute
        pairs(session_factory, "T2", 4)  # 8 prompts: within one minute's allowance
        from bot.jobs.tick import run_tick

        report = run_tick(
            database_url=database_url,
            api_url=fake.api_url,
            tokens=TOKENS.__getitem__,
            now=DUE,
            speed=10,
            budget=timedelta(minutes=10),
        )
        assert report.sent == 44 and statuses(session_factory) == {"sent": 44}
        assert set(keys(fake).values()) == {1}
        limited = [c for c in fake.calls_to("chat.postMessage") if c.status == 429]
        assert limited and {c.team_id for c in limited} == {"T1"}
        t1, t2 = posts(fake, "T1"), posts(fake, "T2")
        # T2 finished while T1 was still being paced, before T1's third minute: T1 had posted
        # at most two minutes' allowance by then (waiting for T1 would have meant all 36).
        t2_done = max(c.at for c in t2)
        assert sum(1 for c in t1 if c.at < t2_done) <= 24 < len(t1)
        # Paced, not hammering: a handful of 429s, not one per message.
        assert len(limited) <= 6
    finally:
        fake.stop()


@pytest.mark.parametrize("how", ["deactivated", "user_not_found", "account_inactive"])
def test_a_person_slack_says_is_gone_stops_receiving_and_the_peer_is_told(session_factory, fake, tick, how):
    [pair_id] = pairs(session_factory, "T1", 1)
    gone, peer = PEOPLE["T1"][0], PEOPLE["T1"][1]  # the gone person's check-in goes first
    if how == "deactivated":
        fake.set_user("T1", gone, deleted=True)  # Slack itself still accepts DMs to them
    else:
        fake.fail_next("chat.postMessage", error=how)

    report = tick(DUE)
    assert report.sending["recipient_gone"] == 1
    assert fake.dm_channel("T1", [gone]) is None  # never a message to them
    # The peer's check-in was cancelled (the pair has ended); they hear kindly why instead.
    [told] = fake.messages(fake.dm_channel("T1", [peer]) or "")
    assert "can no longer reach" in texts(told) and f"<@{gone}>" in texts(told)
    with session_factory.begin() as session:
        pair = session.get(Pair, pair_id)
        assert pair.ended_at is not None and pair.end_reason == "left"
        assert session.scalar(select(Recipient.gone_at).where(Recipient.user_id == gone)) is not None
        assert session.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")).all() == []
    # Nothing more for them, ever: the next check-in time passes quietly.
    before = len(posts(fake))
    tick(DUE + timedelta(weeks=1))
    assert len(posts(fake)) == before


def test_a_revoked_token_stops_that_workspace_only(session_factory, fake, tick, caplog):
    pairs(session_factory, "T1", 2)
    pairs(session_factory, "T2", 2)
    fake.revoke_token(TOKENS["T2"])
    with caplog.at_level(logging.ERROR):
        report = tick(DUE)
    assert report.sending.stopped_workspaces == ["T2"]
    assert "SLACK REFUSED THE TOKEN for workspace T2 (token_revoked)" in caplog.text
    assert len(posts(fake, "T1")) == 4 and posts(fake, "T2") == []
    with session_factory.begin() as session:
        assert session.get(WorkspaceDelivery, "T2").disabled_reason == "token_revoked"
        waiting = session.scalars(select(OutboxMessage).where(OutboxMessage.team_id == "T2")).all()
        assert (
            len(waiting) == 4
            and {r.status for r in waiting} == {"pending"}
            and not any(r.in_doubt for r in waiting)
        )
    # A later tick leaves T2 alone (no calls with the dead token) until the hourly retry …
    calls = len(fake.calls)
    tick(DUE + timedelta(minutes=5))
    assert all(c.token != TOKENS["T2"] for c in fake.calls[calls:])
    # … which, once the app is reinstalled with a new token, restarts it and loses nothing.
    fake.add_workspace("T2", token="xoxb-worker-t2-new")
    report = tick(DUE + timedelta(hours=1, minutes=1), tokens={**TOKENS, "T2": "xoxb-worker-t2-new"})
    assert report.restarted == ["T2"] and len(posts(fake, "T2")) == 4


def test_a_dropped_connection_after_slack_posted_does_not_post_twice(session_factory, fake, tick):
    pairs(session_factory, "T1", 1)
    fake.fail_next("chat.postMessage", drop_response=True)
    report = tick(DUE)
    assert report.sending["retried"] == 1 and report.sent == 1
    with session_factory.begin() as session:
        [in_doubt] = session.scalars(select(OutboxMessage).where(OutboxMessage.in_doubt.is_(True))).all()
    # The retry first looks in the conversation, finds the message by its metadata, and
    # records it as sent without posting again.
    report = tick(DUE + timedelta(minutes=2))
    assert report.sending["found_after_crash"] == 1
    assert len(fake.calls_to("chat.postMessage")) == 2  # the dropped one and the other person's
    assert statuses(session_factory) == {"sent": 2}
    dm = fake.dm_channel("T1", [in_doubt.recipient])
    assert len(fake.messages(dm)) == 1


def test_nothing_goes_out_at_3am_or_to_someone_paused(session_factory, fake, tick):
    from bot.services import profiles

    with session_factory.begin() as session:
        make_pair(session, ("U100", "U101"), agreed_at=T0, tz={"U100": "Asia/Tokyo"})
        make_pair(session, ("U102", "U103"), agreed_at=T0)
        profiles.pause(session=session, team_id="T1", user_id="U103", weeks=1, now=DUE - timedelta(days=1))
    report = tick(DUE)  # 19:00 in Tokyo, 10:00 in London
    # U101's check-in; U103's peer is told once that the pairing is on hold, and no check-in.
    sent = {c.args["channel"]: c.args["text"] for c in posts(fake)}
    assert sorted(sent) == ["U101", "U102"] and "stepped away until" in sent["U102"]
    assert report.sending["deferred"] == 0  # Tokyo's was planned for its morning, not sent late
    with session_factory.begin() as session:
        tokyo = session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "U100"))
        assert tokyo.due_at == datetime(2026, 3, 12, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
    assert tick(datetime(2026, 3, 11, 18, 0, tzinfo=UTC)).sent == 0  # 03:00 in Tokyo
    assert tick(datetime(2026, 3, 12, 0, 1, tzinfo=UTC)).sent == 1


def test_paused_people_get_a_welcome_back_once(session_factory, fake, tick):
    from bot.services import profiles

    pairs(session_factory, "T1", 1)
    with session_factory.begin() as session:
        profiles.pause(session=session, team_id="T1", user_id="U100", weeks=1, now=T0)
    tick(T0 + timedelta(weeks=1, minutes=1))
    tick(T0 + timedelta(weeks=1, minutes=2))
    welcome = [c for c in posts(fake) if c.args["channel"] == "U100" and "Welcome back" in c.args["text"]]
    assert len(welcome) == 1


class Accelerated:
    """A clock running `speed` times faster than real time, shared by the fake and a test."""

    def __init__(self, start: datetime, *, speed: float) -> None:
        import time

        self._start, self._speed, self._origin, self._time = start.timestamp(), speed, time.monotonic(), time

    def seconds(self) -> float:
        return self._start + (self._time.monotonic() - self._origin) * self._speed


def test_a_late_worker_waits_for_working_hours_instead_of_sending_at_night(session_factory, fake, tick):
    pairs(session_factory, "T1", 1)
    with session_factory.begin() as session:  # planned on time, then the worker died
        checkins.plan_checkins(session=session, team_id="T1", now=DUE)
    evening = DUE + timedelta(hours=8)  # it is back at 18:00 in London
    report = tick(evening)
    assert report.sent == 0 and report.sending["deferred"] == 2
    with session_factory.begin() as session:
        assert {r.due_at for r in session.scalars(select(OutboxMessage))} == {
            datetime(2026, 3, 12, 9, tzinfo=UTC)
        }
    assert tick(datetime(2026, 3, 12, 9, 0, 30, tzinfo=UTC)).sent == 2


def test_many_people_to_check_are_swept_with_users_list_not_users_info_each(session_factory, fake, tick):
    pairs(session_factory, "T1", 12)
    fake.set_user("T1", PEOPLE["T1"][5], deleted=True)
    report = tick(DUE)
    assert fake.calls_to("users.list") and not fake.calls_to("users.info")
    assert report.sending["recipient_gone"] == 0  # found by the sweep, before any send
    assert PEOPLE["T1"][5] not in {c.args["channel"] for c in posts(fake)}
    told = [
        c
        for c in posts(fake)
        if c.args["channel"] == PEOPLE["T1"][4] and "can no longer reach" in texts(c.args)
    ]
    assert len(told) == 1
    assert report.sent == 23  # 22 check-ins and one kind word


def test_the_scheduler_ticks_every_minute_one_tick_at_a_time(tmp_path):
    from bot.config import WorkerSettings
    from bot.jobs.db import worker_engine
    from bot.worker import JOB_ID, MISFIRE_GRACE_SECONDS, build_scheduler

    settings = WorkerSettings(slack_bot_token="xoxb-x", database_url=f"sqlite:///{tmp_path}/w.db")
    engine = worker_engine(settings.database_url)
    [job] = build_scheduler(settings, engine).get_jobs()
    engine.dispose()
    assert (job.id, job.coalesce, job.max_instances) == (JOB_ID, True, 1)
    assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS
    assert str(job.trigger) == "cron[second='0']"


def test_the_worker_needs_no_signing_secret_but_says_what_is_missing(monkeypatch, capsys, tmp_path):
    from bot.config import load_worker_settings
    from bot.worker import main

    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--once"]) == 2
    assert "SLACK_BOT_TOKEN is missing" in capsys.readouterr().err
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-worker")
    worker = load_worker_settings()
    assert worker.slack_bot_token == "xoxb-worker" and not hasattr(worker, "slack_signing_secret")


def test_scheduled_rounds_run_once_on_the_programs_cadence_and_introduce_each_pair(
    session_factory, fake, tick
):
    from bot.models import MatchRound, ProgramSettings
    from tests.factories import make_profile
    from tests.pair_factories import set_program

    with session_factory.begin() as session:
        set_program(session, round_cadence="weekly", next_round_at=DUE - timedelta(minutes=1))
        for user in PEOPLE["T1"][:4]:
            make_profile(session, user)
    tick(DUE)
    tick(DUE + timedelta(minutes=1))
    with session_factory.begin() as session:
        [round_] = session.scalars(select(MatchRound)).all()
        assert round_.trigger == "schedule" and round_.pair_count == 2
        assert session.get(ProgramSettings, "T1").next_round_at == DUE - timedelta(minutes=1) + timedelta(
            weeks=1
        )
    intros = [c for c in posts(fake) if c.response["channel"].startswith("G")]
    assert len(intros) == 2 and len({c.response["channel"] for c in intros}) == 2
