"""Active pairs with agreed ground rules, for check-in, feedback and worker tests.

Pairs are stored as a matching round would store them; the rules go through the real
ground-rules service (one proposes, the others agree), so the pair is "active" the way it
is in production.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.models import MatchRound, Pair, PairMember, Profile, ProgramSettings
from bot.services import ground_rules
from bot.services.ground_rules import ValidRules
from tests.factories import DEFAULT_NOW, make_profile, make_workspace


def make_pair(
    session: Session,
    user_ids: tuple[str, ...] | list[str],
    *,
    team_id: str = "T1",
    agreed_at: datetime = DEFAULT_NOW,
    frequency: str = "weekly",
    off_limits: str = "",
    tz: str | dict[str, str] = "Europe/London",
    agree: bool = True,
) -> int:
    """A pair (or trio) of opted-in people; with `agree`, its rules agreed at `agreed_at`."""
    make_workspace(session, team_id, now=agreed_at)
    for user_id in user_ids:
        zone = tz.get(user_id, "Europe/London") if isinstance(tz, dict) else tz
        if (
            session.scalar(select(Profile).where(Profile.team_id == team_id, Profile.user_id == user_id))
            is None
        ):
            make_profile(session, user_id, team_id=team_id, now=agreed_at, tz=zone)
    # Only the columns every schema since 0002 has (migration tests build pairs on old ones).
    round_id = session.execute(
        insert(MatchRound)
        .values(
            team_id=team_id,
            started_at=agreed_at,
            seed=1,
            trigger="admin",
            odd_person="trio",
            eligible_count=len(user_ids),
            pair_count=1,
            trio_count=int(len(user_ids) > 2),
            waitlisted_count=0,
        )
        .returning(MatchRound.id)
    ).scalar_one()
    pair = Pair(
        team_id=team_id, round_id=round_id, created_at=agreed_at, status="new", score=1.0, reasons=[]
    )
    pair.members = [PairMember(team_id=team_id, user_id=u) for u in user_ids]
    session.add(pair)
    session.flush()
    if agree:
        agree_rules(
            session,
            pair.id,
            user_ids,
            team_id=team_id,
            at=agreed_at,
            frequency=frequency,
            off_limits=off_limits,
        )
    return pair.id


def agree_rules(
    session: Session,
    pair_id: int,
    user_ids: tuple[str, ...] | list[str],
    *,
    team_id: str = "T1",
    at: datetime = DEFAULT_NOW,
    frequency: str = "weekly",
    off_limits: str = "",
) -> None:
    rules = ValidRules(
        frequency=frequency,
        meeting_ways=["video"],
        confidentiality_exceptions="",
        off_limits=off_limits,
        my_goal="Learn from each other",
    )
    outcome = ground_rules.propose(
        session=session,
        team_id=team_id,
        pair_id=pair_id,
        user_id=user_ids[0],
        rules=rules,
        based_on=None,
        now=at,
    )
    for user_id in user_ids[1:]:
        ground_rules.agree(
            session=session,
            team_id=team_id,
            pair_id=pair_id,
            user_id=user_id,
            version=outcome.proposal.version,
            now=at,
        )


def set_program(
    session: Session, team_id: str = "T1", *, now: datetime = DEFAULT_NOW, **fields: object
) -> None:
    """Program settings for a workspace: the defaults, changed by `fields`."""
    make_workspace(session, team_id, now=now)
    values: dict[str, object] = {
        "round_cadence": "off",
        "next_round_at": None,
        "odd_person": "trio",
        "forbid_same_team": False,
        "default_frequency": "biweekly",
        "work_start_hour": 9,
        "work_end_hour": 17,
        "quiet_days": [6, 7],
        "privacy_threshold": 5,
        "manager_ids": [],
        "updated_at": now,
    }
    values.update(fields)
    row = session.get(ProgramSettings, team_id)
    if row is None:
        session.add(ProgramSettings(team_id=team_id, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.flush()
