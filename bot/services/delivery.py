"""Reaching people and workspaces: cached DM channels, people who are gone, stopped workspaces.

A person is "gone" once Slack says so — deactivated (`deleted` in users.info/users.list) or
an error that means nobody is there to receive (user_not_found, account_inactive, …). From
then on nothing is sent to them: their pending messages are cancelled, their pair ends
(their peer is back in the pool and is told kindly) and their profile is paused, so no
round pairs them again. If Slack later reports them active, they are no longer gone and
can resume themselves.

A workspace is "stopped" when Slack refuses its token (invalid_auth, token_revoked): its
messages wait, unsent and unlost, and the worker tries the token again now and then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.models import OutboxMessage, Profile, Recipient, Workspace, WorkspaceDelivery
from bot.services import outbox, profiles
from bot.services.checkins import PAIR_PROMPTS
from bot.services.matching.announce import INTRO
from bot.services.matching.pairs import EndedPair, current_pair, drop_member, end_pair
from bot.services.rows import insert_for, insert_unless_present
from bot.services.working_hours import hours_for, next_working_time

PEER_GONE = "peer_gone"
VERIFY_EVERY = timedelta(hours=24)
AUTH_RETRY_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class RecipientState:
    user_id: str
    dm_channel_id: str | None
    verified_at: datetime | None
    gone: bool

    def needs_check(self, now: datetime) -> bool:
        return not self.gone and (self.verified_at is None or now - self.verified_at >= VERIFY_EVERY)


@dataclass(frozen=True)
class GoneOutcome:
    user_id: str
    newly_gone: bool
    cancelled: int = 0
    ended: EndedPair | None = None


def recipient_states(*, session: Session, team_id: str, user_ids: list[str]) -> dict[str, RecipientState]:
    """What is known about these people; someone never seen before reads as unverified."""
    found = {
        r.user_id: RecipientState(r.user_id, r.dm_channel_id, r.verified_at, r.gone_at is not None)
        for r in session.scalars(
            select(Recipient).where(Recipient.team_id == team_id, Recipient.user_id.in_(user_ids))
        )
    }
    return {u: found.get(u) or RecipientState(u, None, None, False) for u in user_ids}


def _recipient(session: Session, team_id: str, user_id: str) -> Recipient:
    insert = insert_for(session)
    session.execute(
        insert(Recipient)
        .values(team_id=team_id, user_id=user_id)
        .on_conflict_do_nothing(index_elements=["team_id", "user_id"])
    )
    row = session.scalar(
        select(Recipient)
        .where(Recipient.team_id == team_id, Recipient.user_id == user_id)
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


def remember_dm_channel(*, session: Session, team_id: str, user_id: str, channel_id: str) -> None:
    insert = insert_for(session)
    session.execute(
        insert(Recipient)
        .values(team_id=team_id, user_id=user_id, dm_channel_id=channel_id)
        .on_conflict_do_update(index_elements=["team_id", "user_id"], set_={"dm_channel_id": channel_id})
    )


def forget_dm_channel(*, session: Session, team_id: str, user_id: str) -> None:
    _recipient(session, team_id, user_id).dm_channel_id = None
    session.flush()


def mark_verified(
    *, session: Session, team_id: str, user_ids: list[str], now: datetime, tz: dict[str, str] | None = None
) -> None:
    """Slack says these people are active: trust that for a day. Someone marked gone who is
    active again (reactivated) is no longer gone. `tz` refreshes time zones Slack reports
    (people move), so working hours follow them."""
    if not user_ids:
        return
    insert = insert_for(session)
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start : start + 500]
        statement = insert(Recipient).values(
            [{"team_id": team_id, "user_id": u, "verified_at": now} for u in chunk]
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["team_id", "user_id"],
                set_={"verified_at": now, "gone_at": None, "gone_reason": None},
            )
        )
    for user_id, zone_name in (tz or {}).items():
        profile = profiles.get_profile(session=session, team_id=team_id, user_id=user_id)
        if profile is not None and zone_name and profile.tz != zone_name:
            profile.tz = zone_name
    session.flush()


def mark_gone(*, session: Session, team_id: str, user_id: str, reason: str, now: datetime) -> GoneOutcome:
    """Stop sending to this person, end their pair and plan a kind word to their peer.

    A trio not yet introduced goes on as a pair without them (its intro then names two), and
    nobody is told: the others never knew of the third. A pair not yet introduced ends, and
    the other person hears that the new match is off rather than thanks for time together."""
    row = _recipient(session, team_id, user_id)
    if row.gone_at is not None:
        return GoneOutcome(user_id, newly_gone=False)
    row.gone_at, row.gone_reason = now, reason
    cancelled = outbox.cancel_pending(
        session=session, team_id=team_id, reason="recipient_gone", recipient=user_id
    )
    pair = current_pair(session=session, team_id=team_id, user_id=user_id)
    introduced = pair is None or _introduced(session, team_id, pair.pair_id)
    ended = None
    if (
        pair is None
        or introduced
        or not drop_member(session=session, team_id=team_id, pair_id=pair.pair_id, user_id=user_id)
    ):
        ended = end_pair(session=session, team_id=team_id, user_id=user_id, now=now, reason="left")
    profile = profiles.get_profile(session=session, team_id=team_id, user_id=user_id)
    if profile is not None:
        # Out of matching until they are back and resume themselves.
        profile.paused, profile.paused_until, profile.updated_at = True, None, now
    if ended is not None:
        outbox.cancel_pending(
            session=session, team_id=team_id, reason="pair_ended", pair_id=ended.pair_id, kinds=PAIR_PROMPTS
        )
        hours = hours_for(session=session, team_id=team_id)
        for other in ended.other_user_ids:
            peer = profiles.get_profile(session=session, team_id=team_id, user_id=other)
            if peer is None:
                continue
            outbox.plan(
                session=session,
                team_id=team_id,
                kind=PEER_GONE,
                pair_id=ended.pair_id,
                period="gone",
                recipient=other,
                due_at=next_working_time(now, tz=peer.tz, hours=hours),
                now=now,
                payload={"gone": user_id},
            )
    session.flush()
    return GoneOutcome(user_id, newly_gone=True, cancelled=cancelled, ended=ended)


def _introduced(session: Session, team_id: str, pair_id: int) -> bool:
    """False only while the pair's introduction is still waiting to be sent (and certainly
    not in Slack yet): then nobody in the pair has heard of it."""
    return (
        session.scalar(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.team_id == team_id,
                OutboxMessage.pair_id == pair_id,
                OutboxMessage.kind == INTRO,
                OutboxMessage.status == outbox.PENDING,
                OutboxMessage.in_doubt.is_(False),
            )
            .limit(1)
        )
        is None
    )


def opted_in(*, session: Session, team_id: str, user_ids: set[str]) -> set[str]:
    """Which of these people have a profile (only they are ever messaged)."""
    ordered = sorted(user_ids)
    found: set[str] = set()
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        found.update(
            session.scalars(
                select(Profile.user_id).where(Profile.team_id == team_id, Profile.user_id.in_(chunk))
            )
        )
    return found


# --- workspaces ---------------------------------------------------------------------------


def ensure_workspace_rows(*, session: Session) -> None:
    """One delivery-state row per installed workspace."""
    missing = session.scalars(
        select(Workspace.team_id).where(
            ~select(WorkspaceDelivery.team_id).where(WorkspaceDelivery.team_id == Workspace.team_id).exists()
        )
    ).all()
    if not missing:
        return
    for team_id in missing:
        insert_unless_present(session, WorkspaceDelivery, team_id=team_id)


def active_workspaces(*, session: Session) -> list[str]:
    return list(
        session.scalars(
            select(WorkspaceDelivery.team_id)
            .where(WorkspaceDelivery.disabled_at.is_(None))
            .order_by(WorkspaceDelivery.team_id)
        )
    )


def lock_for_planning(*, session: Session, team_id: str, now: datetime) -> bool:
    """Take this workspace for planning until commit; False if another worker has it now.

    PostgreSQL: a row lock, skipped when taken. SQLite: the caller's BEGIN IMMEDIATE already
    makes the whole transaction exclusive.
    """
    row = session.scalar(
        select(WorkspaceDelivery)
        .where(WorkspaceDelivery.team_id == team_id)
        .with_for_update(skip_locked=True)
    )
    if row is None:
        return False
    row.planned_at = now
    return True


def is_stopped(*, session: Session, team_id: str) -> bool:
    row = session.get(WorkspaceDelivery, team_id)
    return row is not None and row.disabled_at is not None


def stop_workspace(*, session: Session, team_id: str, reason: str, now: datetime) -> bool:
    """Stop sending to a workspace whose token Slack refused. True when it was running."""
    row = session.get(WorkspaceDelivery, team_id, populate_existing=True)
    if row is None:
        row = WorkspaceDelivery(team_id=team_id)
        session.add(row)
    if row.disabled_at is not None:
        return False
    row.disabled_at, row.disabled_reason, row.auth_checked_at = now, reason, now
    session.flush()
    return True


def restart_workspace(*, session: Session, team_id: str) -> None:
    row = session.get(WorkspaceDelivery, team_id, populate_existing=True)
    if row is not None:
        row.disabled_at = row.disabled_reason = None
        session.flush()


def stopped_workspaces_to_retry(*, session: Session, now: datetime) -> list[str]:
    """Stopped workspaces whose token is due another try (hourly)."""
    return list(
        session.scalars(
            select(WorkspaceDelivery.team_id).where(
                WorkspaceDelivery.disabled_at.is_not(None),
                or_(
                    WorkspaceDelivery.auth_checked_at.is_(None),
                    WorkspaceDelivery.auth_checked_at <= now - AUTH_RETRY_EVERY,
                ),
            )
        )
    )


def mark_auth_checked(*, session: Session, team_id: str, now: datetime) -> None:
    row = session.get(WorkspaceDelivery, team_id)
    if row is not None:
        row.auth_checked_at = now
        session.flush()


def directory_checked_at(*, session: Session, team_id: str) -> datetime | None:
    row = session.get(WorkspaceDelivery, team_id)
    return row.directory_checked_at if row else None


def mark_directory_checked(*, session: Session, team_id: str, now: datetime) -> None:
    row = session.get(WorkspaceDelivery, team_id)
    if row is not None:
        row.directory_checked_at = now
        session.flush()
