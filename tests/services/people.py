"""Pairs, check-in answers and program settings for service tests, built through the ORM."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot.models import Checkin, CheckinAnswer, MatchRound, Pair, PairMember, ProgramSettings
from bot.services.program import Program
from tests.factories import make_workspace


def make_pair(
    session: Session,
    user_ids: Sequence[str],
    *,
    created_at: datetime,
    ended_at: datetime | None = None,
    team_id: str = "T1",
    reasons: list | None = None,
) -> Pair:
    make_workspace(session, team_id, now=created_at)
    round_ = MatchRound(
        team_id=team_id,
        started_at=created_at,
        seed=1,
        trigger="admin",
        odd_person="trio",
        eligible_count=len(user_ids),
        pair_count=1,
        trio_count=0,
        waitlisted_count=0,
    )
    session.add(round_)
    session.flush()
    pair = Pair(
        team_id=team_id,
        round_id=round_.id,
        created_at=created_at,
        ended_at=ended_at,
        end_reason="rematch" if ended_at else None,
        status="ended" if ended_at else "new",
        score=1.0,
        reasons=reasons or [],
    )
    session.add(pair)
    session.flush()
    for user_id in user_ids:
        session.add(PairMember(pair_id=pair.id, team_id=team_id, user_id=user_id))
    session.flush()
    return pair


def answer(session: Session, pair: Pair, user_id: str, reply: str, *, at: datetime, number: int = 1) -> Checkin:
    checkin = Checkin(
        team_id=pair.team_id,
        pair_id=pair.id,
        number=number,
        anchor_at=at,
        step=number,
        frequency="weekly",
        rules_version=1,
        due_at=at,
        escalation="none",
        created_at=at,
    )
    session.add(checkin)
    session.flush()
    session.add(CheckinAnswer(team_id=pair.team_id, checkin_id=checkin.id, user_id=user_id, answer=reply, answered_at=at))
    session.flush()
    return checkin


def set_program(session: Session, team_id: str = "T1", *, now: datetime, **changes: object) -> ProgramSettings:
    make_workspace(session, team_id, now=now)
    defaults = Program()
    row = session.get(ProgramSettings, team_id) or ProgramSettings(
        team_id=team_id,
        round_cadence=defaults.round_cadence,
        next_round_at=None,
        odd_person=defaults.odd_person,
        forbid_same_team=defaults.forbid_same_team,
        default_frequency=defaults.default_frequency,
        work_start_hour=defaults.work_start_hour,
        work_end_hour=defaults.work_end_hour,
        quiet_days=list(defaults.quiet_days),
        privacy_threshold=defaults.privacy_threshold,
        manager_ids=[],
        updated_at=now,
    )
    for name, value in changes.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    return row
