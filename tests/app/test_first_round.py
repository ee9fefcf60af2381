"""With default settings, rounds run on their own: a first round date from the start, said to
everyone who joins, and a round on that day without any admin action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.emulator.driver import texts
from bot.models import MatchRound
from bot.services.program import first_round_at, program_settings
from bot.worker import tick
from tests.app.test_onboarding import join

FIRST_ROUND = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)  # the app's clock starts Wed 4 March
SHOWN = f"<!date^{int(FIRST_ROUND.timestamp())}^"


@pytest.mark.parametrize(
    ("started", "first"),
    [
        (datetime(2026, 3, 2, 9, 0, tzinfo=UTC), datetime(2026, 3, 9, 10, 0, tzinfo=UTC)),  # Mon: next Mon
        (datetime(2026, 3, 5, 23, 0, tzinfo=UTC), datetime(2026, 3, 9, 10, 0, tzinfo=UTC)),  # Thu night
        (datetime(2026, 3, 6, 9, 0, tzinfo=UTC), datetime(2026, 3, 9, 10, 0, tzinfo=UTC)),  # Fri: 3 days
        (datetime(2026, 3, 7, 9, 0, tzinfo=UTC), datetime(2026, 3, 16, 10, 0, tzinfo=UTC)),  # Sat: too soon
        (datetime(2026, 3, 8, 9, 0, tzinfo=UTC), datetime(2026, 3, 16, 10, 0, tzinfo=UTC)),  # Sun
    ],
)
def test_the_first_round_is_the_first_monday_at_least_three_days_after_the_start(started, first):
    assert first_round_at(started) == first


def test_people_joining_with_default_settings_are_told_the_date_and_matched_on_it(slack, runtime, clock, fake_slack):
    for user in ("U1", "U2", "U3", "U4"):
        [welcome] = join(slack, user)
        assert "at the next matching round, on " + SHOWN in texts(welcome)
    assert SHOWN in texts(slack.command("U1", "status").json)

    clock.current = FIRST_ROUND - timedelta(minutes=1)
    tick(runtime.deps.settings, runtime.engine, clock())
    with runtime.deps.session_factory.begin() as session:
        assert session.scalars(select(MatchRound)).all() == []
    clock.current = FIRST_ROUND
    tick(runtime.deps.settings, runtime.engine, clock())
    tick(runtime.deps.settings, runtime.engine, clock() + timedelta(minutes=1))
    with runtime.deps.session_factory.begin() as session:
        [round_] = session.scalars(select(MatchRound)).all()
        assert round_.trigger == "schedule" and round_.pair_count == 2
        # Every two weeks by default: the next one is stored, and said.
        assert program_settings(session=session, team_id="T1").next_round_at == FIRST_ROUND + timedelta(weeks=2)
    intros = [c for c in fake_slack.calls_to("chat.postMessage") if c.ok and c.response["channel"][:1] in "CG"]
    assert len(intros) == 2
    assert "paired with" in texts(slack.command("U1", "status").json)
