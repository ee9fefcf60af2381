"""Slack's failures as the real worker meets them, against the emulator: what each person
finally sees, and that it arrives exactly once.

- chat.postMessage's HTTP 200 `rate_limited` and `message_limit_exceeded` mean "later";
- `internal_error` / `fatal_error` may come after Slack stored the message: the history is
  checked (message metadata) before any re-send;
- a group DM refused with `user_disabled` (one member deactivated) finds who, and only they
  are gone: a pair's other member hears the match is off, a trio goes on as two;
- a single person Slack cannot reach (`cannot_dm_bot`, …) gets nothing more.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.emulator.driver import texts
from bot.models import OutboxMessage, Pair, Recipient
from bot.services import outbox
from bot.services.matching.announce import INTRO
from tests.jobs.conftest import PEOPLE
from tests.pair_factories import make_pair

T0 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday, 10:00 in London
DUE = T0 + timedelta(weeks=1)
A, B, C = PEOPLE["T1"][:3]


def check_ins(session_factory, count: int = 1) -> None:
    people = PEOPLE["T1"]
    with session_factory.begin() as session:
        for i in range(count):
            make_pair(session, (people[2 * i], people[2 * i + 1]), agreed_at=T0)


def dm_texts(fake, user: str) -> list[str]:
    channel = fake.dm_channel("T1", [user])
    return [texts(m) for m in fake.messages(channel)] if channel else []


def delivered(fake) -> Counter[str]:
    return Counter(
        c.args["metadata"]["event_payload"]["key"] for c in fake.calls_to("chat.postMessage") if c.ok
    )


def statuses(session_factory) -> Counter[str]:
    with session_factory.begin() as session:
        return Counter(session.scalars(select(OutboxMessage.status)))


@pytest.mark.parametrize("error", ["rate_limited", "message_limit_exceeded"])
def test_a_rate_limit_answered_with_200_is_later_not_never(session_factory, fake, tick, error):
    check_ins(session_factory)
    fake.fail_next("chat.postMessage", error=error)  # HTTP 200, no Retry-After
    report = tick(DUE, budget=timedelta(seconds=5))
    assert report.sending["rate_limited"] == 1 and report.sending["failed"] == 0
    with session_factory.begin() as session:
        [waiting] = session.scalars(select(OutboxMessage).where(OutboxMessage.last_error == error)).all()
        # No Retry-After: it backs off a minute from the answer (the tick's clock moves on in
        # real time), certainly not posted, so not in doubt.
        after = timedelta(seconds=report.seconds)
        assert timedelta(seconds=60) <= waiting.due_at - DUE <= timedelta(seconds=60) + after
        assert waiting.last_error == error and not waiting.in_doubt
    tick(DUE + timedelta(minutes=2))
    assert statuses(session_factory) == {"sent": 2}
    assert [len(dm_texts(fake, u)) for u in (A, B)] == [1, 1]
    assert all("Did you and" in t for u in (A, B) for t in dm_texts(fake, u))


def test_a_200_rate_limit_with_retry_after_waits_that_long(session_factory, fake, tick):
    check_ins(session_factory)
    fake.fail_next("chat.postMessage", error="rate_limited", retry_after=7)
    report = tick(DUE, budget=timedelta(seconds=3))
    with session_factory.begin() as session:
        [waiting] = session.scalars(
            select(OutboxMessage).where(OutboxMessage.last_error == "rate_limited")
        ).all()
        after = timedelta(seconds=report.seconds)
        assert timedelta(seconds=7) <= waiting.due_at - DUE <= timedelta(seconds=7) + after


@pytest.mark.parametrize("error", ["internal_error", "fatal_error"])
def test_an_error_after_slack_stored_the_message_is_found_not_posted_again(
    session_factory, fake, tick, error
):
    check_ins(session_factory)
    fake.fail_next("chat.postMessage", error=error, after_storing=True)
    report = tick(DUE, budget=timedelta(seconds=5))
    assert report.sending["retried"] == 1
    with session_factory.begin() as session:
        [doubt] = session.scalars(select(OutboxMessage).where(OutboxMessage.in_doubt.is_(True))).all()
    report = tick(DUE + timedelta(minutes=2))
    assert report.sending["found_after_crash"] == 1 and report.sending["sent"] == 0
    assert fake.calls_to("conversations.history")  # it looked before doing anything else
    assert statuses(session_factory) == {"sent": 2}
    assert len(dm_texts(fake, doubt.recipient)) == 1
    assert set(delivered(fake).values()) == {1}


def test_an_error_before_slack_stored_anything_is_checked_then_sent_once(session_factory, fake, tick):
    check_ins(session_factory)
    fake.fail_next("chat.postMessage", error="service_unavailable")
    tick(DUE, budget=timedelta(seconds=5))
    tick(DUE + timedelta(minutes=2))
    assert fake.calls_to("conversations.history")
    assert statuses(session_factory) == {"sent": 2}
    assert [len(dm_texts(fake, u)) for u in (A, B)] == [1, 1]


def plan_intro(session_factory, members: tuple[str, ...]) -> int:
    with session_factory.begin() as session:
        pair_id = make_pair(session, members, agreed_at=T0, agree=False)
        outbox.plan(
            session=session,
            team_id="T1",
            kind=INTRO,
            pair_id=pair_id,
            period="intro",
            recipient=",".join(members),
            due_at=DUE,
            now=DUE,
        )
    return pair_id


def test_a_pair_whose_peer_is_deactivated_before_the_intro_hears_the_match_is_off(
    session_factory, fake, tick
):
    pair_id = plan_intro(session_factory, (A, B))
    fake.set_user("T1", B, deleted=True)
    report = tick(DUE)
    assert report.sending["recipient_gone"] == 1
    assert fake.dm_channel("T1", [A, B]) is None and dm_texts(fake, B) == []
    [told] = dm_texts(fake, A)
    assert f"<@{B}>" in told
    with session_factory.begin() as session:
        assert session.get(Pair, pair_id).ended_at is not None
        gone = dict(session.execute(select(Recipient.user_id, Recipient.gone_at)).all())
        # Only the deactivated person is gone; never the "U1,U2" string.
        assert gone[B] is not None and gone.get(A) is None and not any("," in u for u in gone)
    tick(DUE + timedelta(days=1))
    assert len(dm_texts(fake, A)) == 1


def test_a_trio_with_a_deactivated_member_is_introduced_as_two(session_factory, fake, tick):
    pair_id = plan_intro(session_factory, (A, B, C))
    fake.set_user("T1", C, deleted=True)
    tick(DUE)
    group = fake.dm_channel("T1", [A, B])
    assert group is not None
    [intro] = [texts(m) for m in fake.messages(group)]
    assert f"<@{A}>" in intro and f"<@{B}>" in intro and f"<@{C}>" not in intro
    # Nobody else hears anything: the two never knew of a third.
    assert dm_texts(fake, A) == dm_texts(fake, B) == dm_texts(fake, C) == []
    with session_factory.begin() as session:
        pair = session.get(Pair, pair_id)
        assert pair.ended_at is None and [m.user_id for m in pair.members] == [A, B]
    tick(DUE + timedelta(minutes=5))
    assert len(fake.messages(group)) == 1 and delivered(fake)[f"{INTRO}:{pair_id}:intro:{A},{B},{C}"] == 1


def test_cannot_dm_bot_stops_sending_to_that_person_only(session_factory, fake, tick):
    check_ins(session_factory, 2)
    fake.fail_next("chat.postMessage", error="cannot_dm_bot")
    report = tick(DUE)
    assert report.sending["recipient_gone"] == 1
    with session_factory.begin() as session:
        [gone] = session.scalars(select(Recipient.user_id).where(Recipient.gone_at.is_not(None))).all()
    assert dm_texts(fake, gone) == []
    others = [u for u in PEOPLE["T1"][:4] if u != gone]
    assert all(len(dm_texts(fake, u)) == 1 for u in others)


@pytest.mark.parametrize("error", ["account_inactive", "invalid_auth"])
def test_our_own_token_refused_stops_the_workspace_and_keeps_every_row(session_factory, fake, tick, error):
    from bot.models import WorkspaceDelivery

    check_ins(session_factory, 2)
    fake.revoke_token("xoxb-worker-t1", error=error)  # auth.test answers it too
    tick(DUE)
    tick(DUE + timedelta(minutes=5))
    assert [dm_texts(fake, u) for u in PEOPLE["T1"][:4]] == [[], [], [], []]
    assert statuses(session_factory) == {"pending": 4}  # nothing dropped, nothing marked gone
    with session_factory.begin() as session:
        [stopped] = session.scalars(select(WorkspaceDelivery)).all()
        assert (stopped.team_id, stopped.disabled_reason) == ("T1", error)
        assert session.scalars(select(Recipient.user_id).where(Recipient.gone_at.is_not(None))).all() == []


def test_account_inactive_for_a_recipient_ends_like_a_gone_user_and_tells_the_peer_once(
    session_factory, fake, tick
):
    check_ins(session_factory)
    fake.fail_next("chat.postMessage", error="account_inactive")  # the token itself is fine
    report = tick(DUE)
    assert report.sending["recipient_gone"] == 1
    with session_factory.begin() as session:
        [gone] = session.scalars(select(Recipient.user_id).where(Recipient.gone_at.is_not(None))).all()
        [pair] = session.scalars(select(Pair)).all()
        assert pair.ended_at is not None
    peer = B if gone == A else A
    tick(DUE + timedelta(days=1))
    assert dm_texts(fake, gone) == []
    told = [t for t in dm_texts(fake, peer) if f"<@{gone}>" in t]
    assert len(told) == 1
