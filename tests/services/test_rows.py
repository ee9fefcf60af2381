"""Rows two requests may race to create: the second creation is a no-op, never an error."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.models import Workspace
from bot.services.profiles import ensure_workspace
from bot.services.rows import insert_unless_present


def test_a_row_created_meanwhile_by_someone_else_is_kept(session_factory, now):
    # Two requests both found the workspace missing; the first one's insert commits first.
    with session_factory.begin() as first:
        insert_unless_present(first, Workspace, team_id="T1", created_at=now)
    with session_factory.begin() as second:
        insert_unless_present(second, Workspace, team_id="T1", created_at=now + timedelta(minutes=1))
        assert ensure_workspace(session=second, team_id="T1", now=now).created_at == now
    with session_factory.begin() as check:
        assert check.scalars(select(Workspace.team_id)).all() == ["T1"]


def test_ensure_workspace_creates_it_once(session, now):
    created = ensure_workspace(session=session, team_id="T9", now=now)
    again = ensure_workspace(session=session, team_id="T9", now=now + timedelta(days=1))
    assert created is again and again.created_at == now
