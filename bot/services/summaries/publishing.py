"""Publishing a team summary: who may post one, and what it may say about the team.

A summary counts the people of a team (a channel's members or a user group): how many opted
in, are paused, are in an active pair, and how many pairs met in the last 30 days, with the
change since the previous period and one line a manager can act on. It never names anyone
and never says who is paired, their rules, feedback or notes. What each figure may say is
decided by bot/services/disclosure.py (the threshold, complements, and subtraction across
overlapping teams and periods), applied in figures.py; every published summary is recorded as
a snapshot (snapshots.py) so later ones are checked against it.

When a channel's membership has changed by only a few people since its last summary,
counting the current members could single out the newcomers (or the people who left), so the
summary counts the members as of that last summary instead, and says so; the newcomers are
counted once that can no longer single anyone out.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from bot.models import SummarySnapshot
from bot.models.states import SummaryStatus
from bot.services import disclosure, periods
from bot.services.errors import DomainError, NotAllowed
from bot.services.profiles import ensure_workspace
from bot.services.program import program_settings
from bot.services.summaries import snapshots
from bot.services.summaries.counts import People
from bot.services.summaries.figures import (
    FIGURES,
    Figure,
    figures_checked,
    has_overlap_hiding,
    suggested_action,
    with_change,
)
from bot.services.summaries.fingerprints import Group

ScopeKind = Literal["channel", "usergroup"]

NOT_A_MANAGER = (
    "Team summaries can be posted by program admins and by the managers named in the program "
    "settings. If you lead a team, ask a program admin to add you as a manager."
)


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    id: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class TeamSummary:
    snapshot_id: int
    scope: Scope
    channel_id: str
    published_at: datetime
    threshold: int
    team_size: int
    counted_size: int
    # Set when the summary counts the members as of an earlier summary (see module docstring).
    counted_as_of: datetime | None
    too_small: bool
    figures: dict[str, Figure]
    previous_at: datetime | None
    previous_counted_size: int | None
    # What a manager could do next; bot/ui/summaries.py says it in words.
    action: str


class AlreadyPosted(DomainError):
    def __init__(self) -> None:
        super().__init__("That summary has already been posted for this period.")


def may_post_summary(*, session: Session, team_id: str, user_id: str, is_admin: bool) -> None:
    """Program admins and the configured managers may; anyone else is refused politely."""
    if is_admin:
        return
    if user_id in program_settings(session=session, team_id=team_id).manager_ids:
        return
    raise NotAllowed(NOT_A_MANAGER)


def publish_summary(
    *,
    session: Session,
    team_id: str,
    scope: Scope,
    member_ids: Collection[str],
    channel_id: str,
    now: datetime,
    cadence: str = "weekly",
    delivery_key: str | None = None,
) -> TeamSummary:
    """Work out what may be said about this team, record it as published, and return it.

    The caller posts it and then calls `mark_posted`. The record is written first so that a
    summary asked for at the same moment is checked against this one; one publication per
    workspace runs at a time.
    """
    ensure_workspace(session=session, team_id=team_id, now=now)
    snapshots.lock_workspace(session, team_id)
    if delivery_key is not None and snapshots.delivered(session, team_id, delivery_key):
        raise AlreadyPosted()
    k = program_settings(session=session, team_id=team_id).privacy_threshold
    people = People.load(session, team_id, now)
    history = snapshots.history(session, team_id, now)
    members = set(member_ids)
    team_size = len(members)
    current = Group.of_members(team_id, members)

    counted, counted_as_of, figures = (
        current,
        None,
        figures_checked(people.count(members), k, current, history),
    )
    same_scope = snapshots.latest(history, scope.key)
    if same_scope is not None and has_overlap_hiding(figures) and same_scope.digest != current.digest:
        earlier = Group(same_scope.fingerprints, same_scope.digest)
        earlier_ids = people.resolve(team_id, earlier.fingerprints, members)
        earlier_figures = figures_checked(
            people.count(earlier_ids, size=len(earlier.fingerprints)), k, earlier, history
        )
        if not has_overlap_hiding(earlier_figures):
            counted, counted_as_of, figures = (
                earlier,
                snapshots.first_counted(history, scope.key, earlier),
                earlier_figures,
            )

    previous = snapshots.previous(session, team_id, scope.key, periods.start_of(cadence, now))
    if previous is not None:
        figures = {
            name: with_change(figure, previous.figures.get(name)) if name in FIGURES else figure
            for name, figure in figures.items()
        }
    too_small = len(counted.fingerprints) < disclosure.min_group(k)
    snapshot = SummarySnapshot(
        team_id=team_id,
        scope=scope.key,
        period=periods.label(cadence, now),
        delivery_key=delivery_key,
        channel_id=channel_id,
        published_at=now,
        status=SummaryStatus.CLAIMED,
        team_size=team_size,
        counted_size=len(counted.fingerprints),
        members=counted.packed,
        members_digest=counted.digest,
        threshold=k,
        figures={name: [f.low, f.high] for name, f in figures.items()},
    )
    session.add(snapshot)
    session.flush()
    return TeamSummary(
        snapshot_id=snapshot.id,
        scope=scope,
        channel_id=channel_id,
        published_at=now,
        threshold=k,
        team_size=team_size,
        counted_size=len(counted.fingerprints),
        counted_as_of=counted_as_of,
        too_small=too_small,
        figures={name: figures[name] for name in FIGURES},
        previous_at=previous.published_at if previous else None,
        previous_counted_size=previous.counted_size if previous else None,
        action=suggested_action(figures, size=len(counted.fingerprints), too_small=too_small),
    )
