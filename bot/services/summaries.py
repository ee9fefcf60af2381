"""Managers' team summaries: opt-in totals for a team, safe to post in a channel.

A summary counts the people of a team (a channel's members or a user group): how many opted
in, are paused, are in an active pair, and how many pairs met in the last 30 days, with the
change since the previous period and one line a manager can act on. It never names anyone
and never says who is paired, their rules, feedback or notes. What each figure may say is
decided by bot/services/disclosure.py (the threshold, complements, and subtraction across
overlapping teams and periods); every published summary is recorded as a snapshot so later
ones are checked against it.

When a channel's membership has changed by only a few people since its last summary,
counting the current members could single out the newcomers (or the people who left), so the
summary counts the members as of that last summary instead, and says so; the newcomers are
counted once that can no longer single anyone out.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bot.models import (
    Pair,
    PairMember,
    Profile,
    SummarySnapshot,
    SummarySubscription,
    Workspace,
    WorkspaceDelivery,
)
from bot.models.states import SummaryStatus
from bot.services import activity, disclosure, periods
from bot.services.disclosure import Bands, Interval
from bot.services.errors import DomainError, NotAllowed
from bot.services.matching.pairs import active_pair_member_ids
from bot.services.profiles import ensure_workspace
from bot.services.program import program_settings

# Earlier summaries are compared with for this long, then forgotten.
LOOKBACK = timedelta(days=365)
# "Pairs that met" looks back this far.
MET_WINDOW = timedelta(days=30)

OPTED_IN, PAUSED, IN_PAIR, PAIRS_MET = "opted_in", "paused", "in_pair", "pairs_met"
FIGURES = (OPTED_IN, PAUSED, IN_PAIR, PAIRS_MET)
# Figures nobody sees but anyone can work out (opted in minus paused, minus paired): they are
# stored and checked like the others.
NOT_PAUSED, UNPAIRED = "not_paused", "unpaired"
DERIVED = {NOT_PAUSED: PAUSED, UNPAIRED: IN_PAIR}

FigureKind = Literal["exact", "fewer_than", "all_but", "hidden"]
HiddenReason = Literal["small_team", "small_parent", "overlap"]
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
class Figure:
    kind: FigureKind
    low: int
    high: int
    # Change since the previous period, only when both periods' figures are exact.
    change: int | None = None
    hidden_because: HiddenReason | None = None
    # For a percentage: the count the figure is out of, when that is itself published exactly.
    out_of: int | None = None

    @property
    def value(self) -> int | None:
        return self.low if self.kind == "exact" else None

    @property
    def interval(self) -> Interval:
        return (self.low, self.high)


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


@dataclass(frozen=True)
class DueSummary:
    team_id: str
    channel_id: str
    cadence: str
    period: str
    delivery_key: str


class AlreadyPosted(DomainError):
    def __init__(self) -> None:
        super().__init__("That summary has already been posted for this period.")


# --- who may post ---------------------------------------------------------------------------


def may_post_summary(*, session: Session, team_id: str, user_id: str, is_admin: bool) -> None:
    """Program admins and the configured managers may; anyone else is refused politely."""
    if is_admin:
        return
    if user_id in program_settings(session=session, team_id=team_id).manager_ids:
        return
    raise NotAllowed(NOT_A_MANAGER)


# --- publishing -----------------------------------------------------------------------------


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
    _lock_workspace(session, team_id)
    if delivery_key is not None and _delivered(session, team_id, delivery_key):
        raise AlreadyPosted()
    k = program_settings(session=session, team_id=team_id).privacy_threshold
    people = _People.load(session, team_id, now)
    history = _history(session, team_id, now)
    members = set(member_ids)
    team_size = len(members)
    current = _Group.of_members(team_id, members)

    counted, counted_as_of, figures = (
        current,
        None,
        _figures_checked(people.count(members), k, current, history),
    )
    same_scope = _latest(history, scope.key)
    if same_scope is not None and _has_overlap_hiding(figures) and same_scope.digest != current.digest:
        earlier = _Group(same_scope.fingerprints, same_scope.digest)
        earlier_ids = people.resolve(team_id, earlier.fingerprints, members)
        earlier_figures = _figures_checked(
            people.count(earlier_ids, size=len(earlier.fingerprints)), k, earlier, history
        )
        if not _has_overlap_hiding(earlier_figures):
            counted, counted_as_of, figures = (
                earlier,
                _first_counted(history, scope.key, earlier),
                earlier_figures,
            )

    previous = _previous(session, team_id, scope.key, periods.start_of(cadence, now))
    if previous is not None:
        figures = {
            name: _with_change(figure, previous.figures.get(name)) if name in FIGURES else figure
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
        action=_action(figures, size=len(counted.fingerprints), too_small=too_small),
    )


def mark_posted(*, session: Session, team_id: str, snapshot_id: int, posted: bool) -> None:
    """Record whether Slack took the message. A failed one still counts as published (the safe side)."""
    session.execute(
        update(SummarySnapshot)
        .where(SummarySnapshot.team_id == team_id, SummarySnapshot.id == snapshot_id)
        .values(status=SummaryStatus.POSTED if posted else SummaryStatus.FAILED)
    )


def forget_claim(*, session: Session, team_id: str, snapshot_id: int) -> None:
    """Drop a scheduled summary's claim that never reached Slack, so the next tick tries again."""
    session.execute(
        delete(SummarySnapshot).where(SummarySnapshot.team_id == team_id, SummarySnapshot.id == snapshot_id)
    )


# --- scheduled summaries --------------------------------------------------------------------


def due_summaries(*, session: Session, now: datetime) -> list[DueSummary]:
    """Subscribed channels whose summary for the current period is due and not yet claimed.

    Weekly summaries fall due on the week's first working day, monthly ones on the month's,
    at the start of the program's working hours (UTC); a subscription's first summary is the
    first one due after it was made.
    """
    due: list[DueSummary] = []
    stopped = set(
        session.scalars(select(WorkspaceDelivery.team_id).where(WorkspaceDelivery.disabled_at.is_not(None)))
    )
    subscriptions = session.scalars(select(SummarySubscription).order_by(SummarySubscription.id)).all()
    for sub in subscriptions:
        if sub.team_id in stopped:
            continue  # Slack refused the workspace's token: nothing can be posted there now
        program = program_settings(session=session, team_id=sub.team_id)
        due_at = periods.due_at(sub.cadence, now, program.quiet_days, program.work_start_hour)
        if due_at is None or now < due_at or due_at < sub.created_at:
            continue
        key = delivery_key(sub.cadence, sub.channel_id, periods.label(sub.cadence, now))
        if _delivered(session, sub.team_id, key):
            continue
        due.append(DueSummary(sub.team_id, sub.channel_id, sub.cadence, periods.label(sub.cadence, now), key))
    return due


def record_undeliverable(*, session: Session, due: DueSummary, now: datetime) -> None:
    """Mark this period's summary as skipped (the app can't read or post in the channel), so
    the worker doesn't try again every minute. It counted nobody and showed nothing."""
    ensure_workspace(session=session, team_id=due.team_id, now=now)
    if _delivered(session, due.team_id, due.delivery_key):
        return
    session.add(
        SummarySnapshot(
            team_id=due.team_id,
            scope=Scope("channel", due.channel_id).key,
            period=due.period,
            delivery_key=due.delivery_key,
            channel_id=due.channel_id,
            published_at=now,
            status=SummaryStatus.FAILED,
            team_size=0,
            counted_size=0,
            members=b"",
            members_digest=_digest(b""),
            threshold=program_settings(session=session, team_id=due.team_id).privacy_threshold,
            figures={},
        )
    )
    session.flush()


def delivery_key(cadence: str, channel_id: str, period: str) -> str:
    return f"{cadence}:{channel_id}:{period}"


def prune_snapshots(*, session: Session, now: datetime) -> int:
    """Forget summaries older than the look-back; returns how many."""
    result = session.execute(delete(SummarySnapshot).where(SummarySnapshot.published_at < now - LOOKBACK))
    return int(getattr(result, "rowcount", 0) or 0)


# --- fingerprints ---------------------------------------------------------------------------


def fingerprint(team_id: str, user_id: str) -> int:
    """A one-way 64-bit fingerprint of a person, keyed by workspace; never stored with a user id."""
    digest = hashlib.blake2b(user_id.encode(), digest_size=8, key=team_id.encode()[:64]).digest()
    return int.from_bytes(digest, "little")


def pack(fingerprints: Iterable[int]) -> bytes:
    ordered = sorted(set(fingerprints))
    return struct.pack(f"<{len(ordered)}Q", *ordered)


def unpack(blob: bytes) -> frozenset[int]:
    return frozenset(struct.unpack(f"<{len(blob) // 8}Q", blob))


# --- internals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    fingerprints: frozenset[int]
    digest: str

    @classmethod
    def of_members(cls, team_id: str, members: Iterable[str]) -> _Group:
        fps = frozenset(fingerprint(team_id, m) for m in members)
        return cls(fps, _digest(pack(fps)))

    @property
    def packed(self) -> bytes:
        return pack(self.fingerprints)


@dataclass(frozen=True)
class _Snapshot:
    scope: str
    published_at: datetime
    fingerprints: frozenset[int]
    digest: str
    figures: dict[str, Interval]


@dataclass(frozen=True)
class _Counts:
    size: int
    opted_in: int
    paused: int
    in_pair: int
    pairs_met: int
    pairs_in_window: int


@dataclass
class _People:
    """Everything the counts need, loaded once per summary (a few queries, not one per person)."""

    paused: dict[str, bool]  # everyone opted in -> paused now
    active: set[str]
    pairs_of: dict[str, set[int]]  # pairs active at some time in the window, by member
    met: set[int]
    _by_fingerprint: dict[int, str] | None = field(default=None)

    @classmethod
    def load(cls, session: Session, team_id: str, now: datetime) -> _People:
        since = now - MET_WINDOW
        # Three columns, not whole profiles: decoding everyone's answers would be most of the time.
        # The same rule as profiles.is_paused: a dated pause is over once its date passes.
        paused = {
            user_id: bool(is_on and (until is None or until > now))
            for user_id, is_on, until in session.execute(
                select(Profile.user_id, Profile.paused, Profile.paused_until).where(
                    Profile.team_id == team_id
                )
            )
        }
        pairs_of: dict[str, set[int]] = {}
        window_pairs = session.execute(
            select(PairMember.user_id, Pair.id)
            .join(Pair, Pair.id == PairMember.pair_id)
            .where(
                Pair.team_id == team_id,
                PairMember.team_id == team_id,
                Pair.created_at <= now,
                or_(Pair.ended_at.is_(None), Pair.ended_at >= since),
            )
        )
        for user_id, pair_id in window_pairs:
            pairs_of.setdefault(user_id, set()).add(pair_id)
        return cls(
            paused=paused,
            active=active_pair_member_ids(session=session, team_id=team_id),
            pairs_of=pairs_of,
            met=activity.pairs_that_met(session=session, team_id=team_id, since=since, until=now),
        )

    def count(self, members: Collection[str], *, size: int | None = None) -> _Counts:
        opted = [m for m in members if m in self.paused]
        pairs: set[int] = set()
        for m in members:
            pairs |= self.pairs_of.get(m, set())
        return _Counts(
            size=len(members) if size is None else size,
            opted_in=len(opted),
            paused=sum(1 for m in opted if self.paused[m]),
            in_pair=sum(1 for m in opted if m in self.active),
            pairs_met=len(pairs & self.met),
            pairs_in_window=len(pairs),
        )

    def resolve(self, team_id: str, fingerprints: frozenset[int], known: Iterable[str]) -> set[str]:
        """The user ids behind fingerprints, among the known members and everyone with data.

        People the app holds nothing about count as zero in every figure, so not finding
        them changes no count.
        """
        if self._by_fingerprint is None:
            everyone = set(self.paused) | set(self.pairs_of) | self.active
            self._by_fingerprint = {fingerprint(team_id, u): u for u in everyone}
        found = {u for u in known if fingerprint(team_id, u) in fingerprints}
        found |= {u for fp, u in self._by_fingerprint.items() if fp in fingerprints}
        return found


def _figures(counts: _Counts, k: int, forced_hidden: set[str]) -> dict[str, Figure]:
    n = counts.size
    if n < disclosure.min_group(k):
        hidden = Figure("hidden", 0, n, hidden_because="small_team")
        figures = dict.fromkeys(FIGURES, hidden)
    else:
        figures = {}
        figures[OPTED_IN] = _banded(counts.opted_in, Bands(n, k), OPTED_IN in forced_hidden, total=n)
        opted = figures[OPTED_IN]
        for name, count in ((PAUSED, counts.paused), (IN_PAIR, counts.in_pair)):
            if name in forced_hidden:
                figures[name] = Figure("hidden", 0, n, hidden_because="overlap")
            elif opted.kind == "exact":
                figures[name] = _banded(count, Bands(opted.low, k), False, total=n, out_of=opted.low)
            elif count < k:
                figures[name] = Figure("fewer_than", 0, k - 1)
            else:
                # Without the exact opted-in count, "all but a few of them" would give it away.
                figures[name] = Figure("hidden", 0, n, hidden_because="small_parent")
        figures[PAIRS_MET] = _banded(
            counts.pairs_met, Bands(counts.pairs_in_window, k), PAIRS_MET in forced_hidden, total=n
        )
    for derived, base in DERIVED.items():
        low, high = disclosure.difference(figures[OPTED_IN].interval, figures[base].interval)
        figures[derived] = Figure("hidden", low, high)
    return figures


def _banded(count: int, bands: Bands, hide: bool, *, total: int, out_of: int | None = None) -> Figure:
    if hide:
        return Figure("hidden", 0, total, hidden_because="overlap")
    if not bands.speakable:
        return Figure("hidden", 0, total, hidden_because="small_parent")
    low, high = bands.of(count)
    if low == high:
        return Figure("exact", low, high, out_of=out_of)
    if low == 0:
        return Figure("fewer_than", low, high)
    return Figure("all_but", low, high, out_of=out_of)


def _figures_checked(counts: _Counts, k: int, group: _Group, history: list[_Snapshot]) -> dict[str, Figure]:
    """The figures, with every one hidden that subtraction from an earlier summary would expose."""
    hidden: set[str] = set()
    overlaps = [
        (snap, len(group.fingerprints & snap.fingerprints))
        for snap in history
        if snap.digest != group.digest and not group.fingerprints.isdisjoint(snap.fingerprints)
    ]
    while True:
        figures = _figures(counts, k, hidden)
        failing: set[str] = set()
        for snap, common in overlaps:
            added = len(group.fingerprints) - common
            removed = len(snap.fingerprints) - common
            for name, figure in figures.items():
                old = snap.figures.get(name)
                if old is not None and not disclosure.safe_together(
                    figure.interval, old, added=added, removed=removed, common=common, k=k
                ):
                    failing.add(DERIVED.get(name, name))
        # A hidden figure says nothing new; hiding only ever grows, so this ends.
        failing -= hidden
        if not failing:
            return figures
        hidden |= failing


def _has_overlap_hiding(figures: dict[str, Figure]) -> bool:
    return any(f.hidden_because == "overlap" for name, f in figures.items() if name in FIGURES)


def _with_change(figure: Figure, old: list[int] | None) -> Figure:
    if old is None or figure.kind != "exact":
        return figure
    delta = disclosure.change(figure.interval, (old[0], old[1]))
    if delta is None:
        return figure
    return Figure(figure.kind, figure.low, figure.high, delta, figure.hidden_because, figure.out_of)


def _action(figures: dict[str, Figure], *, size: int, too_small: bool) -> str:
    """One thing a manager could do, chosen from what the summary shows (never what it hides)."""
    if too_small:
        return "small_team"
    opted, paused, paired, met = (figures[name] for name in FIGURES)
    if opted.kind == "fewer_than" or (opted.value is not None and opted.value * 3 < size):
        return "lead_by_example"
    if paired.value is not None and met.value is not None and met.value * 4 < paired.value:
        return "protect_time"
    if met.kind == "fewer_than" and paired.kind in ("exact", "all_but") and paired.low >= 10:
        return "protect_time"
    if paused.value is not None and opted.value and paused.value * 4 >= opted.value:
        return "check_workload"
    return "build_trust"


def _lock_workspace(session: Session, team_id: str) -> None:
    """One summary per workspace at a time: a no-op write takes PostgreSQL's row lock and
    SQLite's write lock, so a concurrent summary waits and then sees this one's record."""
    session.execute(
        update(Workspace).where(Workspace.team_id == team_id).values(created_at=Workspace.created_at)
    )


def _delivered(session: Session, team_id: str, key: str) -> bool:
    found = session.scalar(
        select(SummarySnapshot.id).where(
            SummarySnapshot.team_id == team_id, SummarySnapshot.delivery_key == key
        )
    )
    return found is not None


def _history(session: Session, team_id: str, now: datetime) -> list[_Snapshot]:
    rows = session.execute(
        select(
            SummarySnapshot.scope,
            SummarySnapshot.published_at,
            SummarySnapshot.members,
            SummarySnapshot.members_digest,
            SummarySnapshot.figures,
        )
        .where(SummarySnapshot.team_id == team_id, SummarySnapshot.published_at >= now - LOOKBACK)
        .order_by(SummarySnapshot.published_at, SummarySnapshot.id)
    )
    return [
        _Snapshot(
            scope=scope,
            published_at=published_at,
            fingerprints=unpack(members),
            digest=digest,
            figures={name: (int(v[0]), int(v[1])) for name, v in (figures or {}).items()},
        )
        for scope, published_at, members, digest, figures in rows
    ]


def _latest(history: list[_Snapshot], scope_key: str) -> _Snapshot | None:
    """The scope's last summary that counted anyone (a skipped period counted nobody)."""
    same = [s for s in history if s.scope == scope_key and s.fingerprints]
    return same[-1] if same else None


def _first_counted(history: list[_Snapshot], scope_key: str, group: _Group) -> datetime:
    """When this scope was first summarised with exactly these members, in an unbroken run."""
    first = None
    for snap in history:
        if snap.scope != scope_key or not snap.fingerprints:
            continue
        # A run of summaries with exactly these members; a different membership breaks it.
        first = (first or snap.published_at) if snap.digest == group.digest else None
    assert first is not None  # the latest snapshot of the scope has these members
    return first


def _previous(
    session: Session, team_id: str, scope_key: str, period_start: datetime
) -> SummarySnapshot | None:
    return session.scalars(
        select(SummarySnapshot)
        .where(
            SummarySnapshot.team_id == team_id,
            SummarySnapshot.scope == scope_key,
            SummarySnapshot.status == SummaryStatus.POSTED,
            SummarySnapshot.published_at < period_start,
        )
        .order_by(SummarySnapshot.published_at.desc(), SummarySnapshot.id.desc())
        .limit(1)
    ).first()


def _digest(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()
