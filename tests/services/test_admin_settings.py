"""Program settings: validation, one audit row per changed field, admins only."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.ids import SettingsField
from bot.models import AuditLog, ProgramSettings, SummarySubscription
from bot.services import admin_settings
from bot.services.admin_settings import SettingsForm
from bot.services.errors import InvalidInput, NotAllowed
from bot.services.program import program_settings
from tests.factories import make_workspace

FORM = SettingsForm(
    round_cadence="monthly",
    next_round_date="2026-03-16",
    odd_person="waitlist",
    forbid_same_team=True,
    default_frequency="weekly",
    work_start="8",
    work_end="16",
    quiet_days=["5", "6", "7"],
    privacy_threshold="7",
    manager_ids=["UBOSS", "UANNA"],
    weekly_channels=["C0DESIGN"],
    monthly_channels=["C0ALL"],
)


def valid(form: SettingsForm = FORM, **changes):
    return admin_settings.validate_settings(replace(form, **changes), tz="Europe/Berlin", now=NOW)


NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def save(session, settings, *, actor="UADMIN", is_admin=True, now=NOW):
    return admin_settings.update_settings(
        session=session, team_id="T1", actor_id=actor, actor_is_admin=is_admin, settings=settings, now=now
    )


def test_every_changed_field_gets_one_audit_row(session):
    make_workspace(session)
    changes = save(session, valid())
    assert {c.field for c in changes} == {
        "round_cadence",
        "next_round_at",
        "odd_person",
        "forbid_same_team",
        "default_frequency",
        "work_start_hour",
        "work_end_hour",
        "quiet_days",
        "privacy_threshold",
        "manager_ids",
        "summary_subscriptions",
    }
    rows = session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert len(rows) == 11 and {r.actor_id for r in rows} == {"UADMIN"} and {r.changed_at for r in rows} == {NOW}
    by_field = {r.field: (r.old_value, r.new_value) for r in rows}
    assert by_field["privacy_threshold"] == (5, 7)
    assert by_field["round_cadence"] == ("biweekly", "monthly")
    assert by_field["quiet_days"] == ([6, 7], [5, 6, 7])
    assert by_field["manager_ids"] == ([], ["UANNA", "UBOSS"])
    # 16 March at 08:00 in Berlin (the admin's zone) is 07:00 UTC; before, the default first
    # round: the first Monday at least three days after the program started, 10:00 UTC.
    assert by_field["next_round_at"] == ("2026-03-09T10:00:00+00:00", "2026-03-16T07:00:00+00:00")
    assert by_field["summary_subscriptions"] == ([], [["C0ALL", "monthly"], ["C0DESIGN", "weekly"]])

    program = program_settings(session=session, team_id="T1")
    assert program.privacy_threshold == 7 and program.manager_ids == {"UBOSS", "UANNA"}
    assert program.next_round_at == datetime(2026, 3, 16, 7, 0, tzinfo=UTC)
    subs = {(s.channel_id, s.cadence) for s in session.scalars(select(SummarySubscription))}
    assert subs == {("C0DESIGN", "weekly"), ("C0ALL", "monthly")}


def test_saving_again_records_only_what_changed(session):
    make_workspace(session)
    save(session, valid())
    later = NOW + timedelta(days=1)
    changes = save(
        session, valid(privacy_threshold="5", weekly_channels=[], monthly_channels=["C0ALL", "C0DESIGN"]), now=later
    )
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("privacy_threshold", 7, 5),
        ("summary_subscriptions", [["C0ALL", "monthly"], ["C0DESIGN", "weekly"]], [["C0ALL", "monthly"], ["C0DESIGN", "monthly"]]),
    ]
    assert save(session, valid(privacy_threshold="5", weekly_channels=[], monthly_channels=["C0ALL", "C0DESIGN"])) == []
    recent = admin_settings.recent_changes(session=session, team_id="T1", limit=2)
    assert [c.field for c in recent] == ["summary_subscriptions", "privacy_threshold"]
    assert session.scalar(select(func.count()).select_from(AuditLog)) == 13


def test_a_non_admin_is_refused_and_nothing_changes(session):
    make_workspace(session)
    with pytest.raises(NotAllowed) as refused:
        save(session, valid(), actor="U1", is_admin=False)
    assert "program admins" in refused.value.message
    assert session.scalar(select(func.count()).select_from(AuditLog)) == 0
    assert session.get(ProgramSettings, "T1") is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"privacy_threshold": "2"}, SettingsField.PRIVACY_THRESHOLD),
        ({"privacy_threshold": "many"}, SettingsField.PRIVACY_THRESHOLD),
        ({"privacy_threshold": "51"}, SettingsField.PRIVACY_THRESHOLD),
        ({"round_cadence": "hourly"}, SettingsField.ROUND_CADENCE),
        ({"next_round_date": "2026-03-01"}, SettingsField.NEXT_ROUND_DATE),
        ({"odd_person": None}, SettingsField.ODD_PERSON),
        ({"default_frequency": "daily"}, SettingsField.DEFAULT_FREQUENCY),
        ({"work_start": "17", "work_end": "9"}, SettingsField.WORK_END),
        ({"work_start": "25"}, SettingsField.WORK_START),
        ({"quiet_days": [str(d) for d in range(1, 8)]}, SettingsField.QUIET_DAYS),
        ({"quiet_days": ["8"]}, SettingsField.QUIET_DAYS),
        ({"weekly_channels": ["C0ALL"]}, SettingsField.MONTHLY_CHANNELS),
        ({"weekly_channels": ["D0DM"]}, SettingsField.WEEKLY_CHANNELS),
    ],
)
def test_bad_input_is_named_field_by_field(changes, field):
    with pytest.raises(InvalidInput) as invalid:
        valid(**changes)
    assert list(invalid.value.field_errors) == [field]


def test_rounds_off_need_no_date_and_an_unchanged_past_date_stands(session):
    assert valid(round_cadence="off", next_round_date=None).next_round_at is None
    assert valid(round_cadence="off").next_round_at is None  # a date without rounds is dropped
    assert valid(next_round_date=None).next_round_at is None  # nothing scheduled until a date is set
    make_workspace(session)
    save(session, valid())
    current = admin_settings.current_settings(session=session, team_id="T1")
    weeks_later = NOW + timedelta(weeks=3)
    again = admin_settings.validate_settings(FORM, tz="Europe/Berlin", now=weeks_later, current=current)
    assert again.next_round_at == current.next_round_at
