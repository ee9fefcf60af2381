"""Joining, editing, pausing, resuming and leaving, against a real database."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.models import Profile
from bot.services import profiles
from bot.services.errors import DomainError, InvalidInput, NotJoined
from bot.services.profiles import ProfileAnswers
from bot.services.status import participant_status

GOOD = ProfileAnswers(
    can_share=["public_speaking", "data_modelling"],
    can_share_other="Kubernetes, running workshops",
    want_to_grow=["negotiation"],
    want_to_grow_other="",
    career_goals=["lead_bigger_projects"],
    experience_level="mid",
    function="engineering",
    team_name="  Payments   platform ",
    background="Came to engineering from teaching",
    meeting_ways=["video", "dm"],
    frequency="biweekly",
    feedback_commitment=True,
)


def join(session, now, team_id="T1", user_id="U1", answers=GOOD):
    valid = profiles.validate_answers(answers)
    return profiles.save_profile(
        session=session, team_id=team_id, user_id=user_id, profile=valid, tz="Europe/Lisbon", now=now
    )


def test_join_stores_labels_and_normalised_text(session, now):
    assert join(session, now) is True
    row = profiles.get_profile(session=session, team_id="T1", user_id="U1")
    assert row.can_share == ["Public speaking", "Data modelling", "Kubernetes", "running workshops"]
    assert row.want_to_grow == ["Negotiation"]
    assert row.career_goals == ["Lead bigger projects"]
    assert row.team_name == "Payments platform"
    assert row.meeting_ways == ["dm", "video"]
    assert row.tz == "Europe/Lisbon"
    assert row.joined_at == now and row.joined_at.tzinfo is not None


def test_editing_updates_the_same_row(session, now):
    join(session, now)
    later = now + timedelta(days=2)
    edited = replace(GOOD, want_to_grow=["sales"], frequency="monthly")
    assert join(session, later, answers=edited) is False
    rows = session.scalars(select(Profile)).all()
    assert len(rows) == 1
    assert rows[0].want_to_grow == ["Sales"]
    assert rows[0].frequency == "monthly"
    assert rows[0].joined_at == now and rows[0].updated_at == later


def test_typed_topic_that_names_a_built_in_one_is_merged(session, now):
    join(
        session,
        now,
        answers=replace(GOOD, can_share=["public_speaking"], can_share_other="public-speaking, Pottery"),
    )
    row = profiles.get_profile(session=session, team_id="T1", user_id="U1")
    assert row.can_share == ["Public speaking", "Pottery"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"can_share": [], "can_share_other": ""}, "can_share"),
        ({"want_to_grow": [], "want_to_grow_other": "  "}, "want_to_grow"),
        ({"can_share": ["not_a_topic"]}, "can_share"),
        (
            {"can_share": ["sales", "marketing", "strategy", "security", "negotiation", "code_review"]},
            "can_share",
        ),
        ({"can_share_other": "x" * 201}, "can_share_other"),
        ({"want_to_grow_other": "a, b, c, d, e, f"}, "want_to_grow_other"),
        ({"want_to_grow_other": "y" * 41}, "want_to_grow_other"),
        ({"career_goals": ["world_domination"]}, "career_goals"),
        ({"experience_level": None}, "experience_level"),
        ({"experience_level": "intern"}, "experience_level"),
        ({"function": None}, "function"),
        ({"function": "astronaut"}, "function"),
        ({"team_name": "   "}, "team_name"),
        ({"team_name": "t" * 81}, "team_name"),
        ({"background": "b" * 301}, "background"),
        ({"meeting_ways": []}, "meeting_ways"),
        ({"meeting_ways": ["carrier_pigeon"]}, "meeting_ways"),
        ({"frequency": None}, "frequency"),
        ({"frequency": "hourly"}, "frequency"),
        ({"feedback_commitment": False}, "feedback_commitment"),
    ],
)
def test_each_bad_field_is_named_and_nothing_is_stored(session, changes, field):
    with pytest.raises(InvalidInput) as raised:
        profiles.validate_answers(replace(GOOD, **changes))
    assert field in raised.value.field_errors
    assert raised.value.field_errors[field]
    assert session.scalar(select(func.count()).select_from(Profile)) == 0


def test_pause_for_weeks_ends_by_itself(session, now):
    join(session, now)
    profiles.pause(session=session, team_id="T1", user_id="U1", weeks=3, now=now)
    status = participant_status(session=session, team_id="T1", user_id="U1", now=now + timedelta(days=20))
    assert status.paused and status.paused_until == now + timedelta(weeks=3)
    after = participant_status(
        session=session, team_id="T1", user_id="U1", now=now + timedelta(weeks=3, seconds=1)
    )
    assert not after.paused
    back = profiles.end_expired_pauses(session=session, now=now + timedelta(weeks=3, seconds=1))
    assert [p.user_id for p in back] == ["U1"]
    row = profiles.get_profile(session=session, team_id="T1", user_id="U1")
    assert row.paused is False and row.paused_until is None


def test_pause_until_resumed_and_resume(session, now):
    join(session, now)
    profiles.pause(session=session, team_id="T1", user_id="U1", weeks=None, now=now)
    far = now + timedelta(days=400)
    assert participant_status(session=session, team_id="T1", user_id="U1", now=far).paused
    assert profiles.end_expired_pauses(session=session, now=far) == []
    profiles.resume(session=session, team_id="T1", user_id="U1", now=far)
    assert not participant_status(session=session, team_id="T1", user_id="U1", now=far).paused


@pytest.mark.parametrize(("text", "weeks"), [("", None), ("3", 3), ("2 weeks", 2), ("1w", 1), (" 26 ", 26)])
def test_parse_pause_weeks(text, weeks):
    assert profiles.parse_pause_weeks(text) == weeks


@pytest.mark.parametrize("text", ["0", "27", "soon", "-1", "3 days", "99999"])
def test_parse_pause_weeks_explains_bad_input(text):
    with pytest.raises(DomainError) as raised:
        profiles.parse_pause_weeks(text)
    assert "pause" in raised.value.message


def test_pause_resume_leave_need_a_profile(session, now):
    for action in (
        lambda: profiles.pause(session=session, team_id="T1", user_id="U9", weeks=None, now=now),
        lambda: profiles.resume(session=session, team_id="T1", user_id="U9", now=now),
        lambda: profiles.leave(session=session, team_id="T1", user_id="U9", now=now),
    ):
        with pytest.raises(NotJoined):
            action()


def test_leave_deletes_every_answer(session, now):
    join(session, now)
    profiles.leave(session=session, team_id="T1", user_id="U1", now=now)
    assert session.scalar(select(func.count()).select_from(Profile)) == 0
    assert participant_status(session=session, team_id="T1", user_id="U1", now=now).joined is False


def test_workspaces_are_kept_apart(session, now):
    join(session, now, team_id="T1", user_id="U1")
    join(session, now, team_id="T2", user_id="U1", answers=replace(GOOD, team_name="Other company"))
    profiles.pause(session=session, team_id="T2", user_id="U1", weeks=None, now=now)
    profiles.leave(session=session, team_id="T2", user_id="U1", now=now)
    mine = profiles.get_profile(session=session, team_id="T1", user_id="U1")
    assert mine is not None and mine.team_name == "Payments platform" and mine.paused is False
    assert profiles.get_profile(session=session, team_id="T2", user_id="U1") is None
