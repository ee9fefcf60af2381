"""A pair's ground rules: one member proposes, the others agree or suggest changes.

Rules are versioned (see bot/models/ground_rules.py). A proposal is a new version that
replaces any pending one; it comes into force once everyone in the pair (two, or three for
a trio) has agreed to that exact version, and the version in force before it stays in force
until then. The first version agreed makes the pair "active": check-ins follow its frequency.

A counter-proposal ("Suggest changes") is simply a proposal from someone else, based on the
version they were answering. Each member writes only their own "what I want from this
pairing"; everyone else's is copied from the newest version, pending or in force.

Concurrency: every change to one pair's rules first takes a lock on the pair's row, so two
members acting at once are served one after the other. The later proposal wins (it gets the
next version and replaces the earlier one), a repeated click or submission changes nothing,
and agreeing to a version that was replaced is refused with a message saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.ids import RulesField
from bot.models import Pair, Profile, RulesAgreement, RulesProposal
from bot.models.states import PairStatus, RulesStatus
from bot.services import options
from bot.services.errors import DomainError, InvalidInput, NotAllowed
from bot.services.matching.pairs import current_pair

# Limits of the proposal form, enforced here and mirrored in the modal.
MAX_EXCEPTIONS = 300
MAX_OFF_LIMITS = 300
MAX_GOAL = 200

PENDING, AGREED, SUPERSEDED = RulesStatus.PENDING, RulesStatus.AGREED, RulesStatus.SUPERSEDED

NOT_A_MEMBER = "Only the people in a pairing can see or change its ground rules, so nothing was changed."


class StaleProposal(DomainError):
    """An answer to a version that a newer one has replaced."""

    def __init__(self, version: int, newest: int) -> None:
        super().__init__(
            f"That proposal (version {version}) has been replaced by a newer one (version {newest}), "
            "so nothing was changed. Please answer the newest proposal instead."
        )
        self.version = version
        self.newest = newest


class RulesChangedMeanwhile(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Someone in your pair changed the ground rules at the same moment, so nothing was saved. "
            "Please have a look at the newest proposal and try again."
        )


class NoPeerYet(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "You don't have a peer yet. Once you're matched, you'll agree your ground rules together."
        )


class PairEnded(DomainError):
    def __init__(self) -> None:
        super().__init__("This pairing has ended, so its ground rules can't change any more.")


@dataclass(frozen=True)
class RulesAnswers:
    """The proposal form's answers, as a person gave them (before validation)."""

    frequency: str | None
    meeting_ways: list[str]
    confidential: bool
    confidentiality_exceptions: str
    off_limits: str
    my_goal: str
    feedback_commitment: bool
    respect_commitment: bool


@dataclass(frozen=True)
class ValidRules:
    frequency: str
    meeting_ways: list[str]
    confidentiality_exceptions: str
    off_limits: str
    # The proposer's own "what I want from this pairing".
    my_goal: str


@dataclass(frozen=True)
class Proposal:
    """One version of a pair's rules, with who has agreed to it so far."""

    pair_id: int
    version: int
    status: RulesStatus
    proposed_by: str
    proposed_at: datetime
    agreed_at: datetime | None
    frequency: str
    meeting_ways: tuple[str, ...]
    confidentiality_exceptions: str
    off_limits: str
    member_goals: dict[str, str]
    member_ids: tuple[str, ...]
    agreed_by: tuple[str, ...]
    message_channel: str | None = None
    message_ts: str | None = None

    @property
    def waiting_for(self) -> tuple[str, ...]:
        return tuple(user for user in self.member_ids if user not in self.agreed_by)


@dataclass(frozen=True)
class RulesInForce:
    """The version everyone agreed to. The worker schedules check-ins from `frequency`."""

    pair_id: int
    version: int
    frequency: str
    meeting_ways: tuple[str, ...]
    confidentiality_exceptions: str
    off_limits: str
    agreed_at: datetime
    # user id -> what that member wants from the pairing ("" when they haven't said).
    member_goals: dict[str, str]
    member_ids: tuple[str, ...]
    proposed_by: str


@dataclass(frozen=True)
class PairRules:
    """A person's pair and its rules, for `status` and App Home."""

    pair_id: int
    viewer_id: str
    member_ids: tuple[str, ...]
    in_force: RulesInForce | None
    pending: Proposal | None

    @property
    def peer_ids(self) -> tuple[str, ...]:
        return tuple(user for user in self.member_ids if user != self.viewer_id)


@dataclass(frozen=True)
class Draft:
    """What the proposal form starts from for one member."""

    pair_id: int
    user_id: str
    member_ids: tuple[str, ...]
    # The version the form was copied from (None: a first proposal from the profiles).
    based_on: int | None
    # True when answering someone else's pending proposal ("Suggest changes").
    is_counter: bool
    in_force_version: int | None
    frequency: str | None
    meeting_ways: tuple[str, ...]
    confidentiality_exceptions: str
    off_limits: str
    my_goal: str
    peer_goals: dict[str, str] = field(default_factory=dict)
    # Each member's preferred frequency from their profile, when they differ (a hint).
    preferred_frequencies: dict[str, str] = field(default_factory=dict)

    @property
    def peer_ids(self) -> tuple[str, ...]:
        return tuple(user for user in self.member_ids if user != self.user_id)


@dataclass(frozen=True)
class ProposalOutcome:
    proposal: Proposal
    # False when the same person sent the same proposal again (a double submission).
    created: bool
    # Pending proposals this one replaced; their messages should say so.
    replaced: tuple[Proposal, ...] = ()
    # One of those came from someone else after the proposer opened the form.
    replaced_unseen: bool = False
    in_force_version: int | None = None


@dataclass(frozen=True)
class AgreementOutcome:
    proposal: Proposal
    # False when this person had already agreed (a double click): nothing changed.
    newly_agreed: bool
    # Everyone has agreed: this version is the pair's rules.
    in_force: bool
    # This agreement was the last one needed.
    activated: bool


# --- validation -----------------------------------------------------------------------


def validate_rules(answers: RulesAnswers) -> ValidRules:
    """Check every field; raise InvalidInput naming each bad one. Nothing is stored here."""
    errors: dict[str, str] = {}
    if not answers.frequency:
        errors[RulesField.FREQUENCY] = "Choose how often you'll meet."
    elif answers.frequency not in options.values(options.FREQUENCIES):
        errors[RulesField.FREQUENCY] = "Pick from the list."

    ways = set(answers.meeting_ways)
    if not ways:
        errors[RulesField.MEETING_WAYS] = "Pick at least one way to meet."
    elif not ways <= options.values(options.MEETING_WAYS):
        errors[RulesField.MEETING_WAYS] = "Pick from the listed ways to meet."

    if not answers.confidential:
        errors[RulesField.CONFIDENTIAL] = (
            "Trust needs confidentiality. Tick the box; name any exceptions in the box below."
        )
    exceptions = _text(
        answers.confidentiality_exceptions, MAX_EXCEPTIONS, RulesField.CONFIDENTIALITY_EXCEPTIONS, errors
    )
    off_limits = _text(answers.off_limits, MAX_OFF_LIMITS, RulesField.OFF_LIMITS, errors)
    goal = _text(answers.my_goal, MAX_GOAL, RulesField.MY_GOAL, errors)
    if RulesField.MY_GOAL not in errors and not goal:
        errors[RulesField.MY_GOAL] = "Say in a line what you'd like from this pairing."

    if not answers.feedback_commitment:
        errors[RulesField.FEEDBACK_COMMITMENT] = (
            "Peer mentoring works when both give and receive feedback. Tick the box to go on."
        )
    if not answers.respect_commitment:
        errors[RulesField.RESPECT_COMMITMENT] = (
            "Each of you brings experience the other can learn from. Tick the box to go on."
        )
    if errors:
        raise InvalidInput(errors)
    assert answers.frequency  # guaranteed when there are no errors
    return ValidRules(
        frequency=answers.frequency,
        meeting_ways=[c.value for c in options.MEETING_WAYS if c.value in ways],
        confidentiality_exceptions=exceptions,
        off_limits=off_limits,
        my_goal=goal,
    )


def _text(value: str, limit: int, name: str, errors: dict[str, str]) -> str:
    text = value.strip()
    if len(text) > limit:
        errors[name] = f"Keep it under {limit} characters (it has {len(text)})."
    return text


# --- reading ----------------------------------------------------------------------------


def current_pair_id(*, session: Session, team_id: str, user_id: str) -> int:
    """The person's pair, for `/peer-mentor rules`; refused kindly when they have none."""
    pair = current_pair(session=session, team_id=team_id, user_id=user_id)
    if pair is None:
        raise NoPeerYet()
    return pair.pair_id


def rules_in_force(*, session: Session, team_id: str, pair_id: int) -> RulesInForce | None:
    """The version everyone in the pair agreed to, or None before the first agreement."""
    row = session.scalar(
        select(RulesProposal).where(
            RulesProposal.team_id == team_id, RulesProposal.pair_id == pair_id, RulesProposal.status == AGREED
        )
    )
    if row is None:
        return None
    pair = session.get(Pair, pair_id)
    assert pair is not None and row.agreed_at is not None
    return _in_force(row, _member_ids(pair))


def pending_proposal(*, session: Session, team_id: str, pair_id: int) -> Proposal | None:
    """The proposal waiting for answers, if any."""
    row = session.scalar(
        select(RulesProposal)
        .where(
            RulesProposal.team_id == team_id,
            RulesProposal.pair_id == pair_id,
            RulesProposal.status == PENDING,
        )
        .options(selectinload(RulesProposal.agreements))
    )
    if row is None:
        return None
    pair = session.get(Pair, pair_id)
    assert pair is not None
    return _proposal(row, _member_ids(pair))


def pair_rules_for(*, session: Session, team_id: str, user_id: str) -> PairRules | None:
    """The person's current pair with its rules in force and pending proposal; None if unpaired."""
    pair = current_pair(session=session, team_id=team_id, user_id=user_id)
    if pair is None:
        return None
    return PairRules(
        pair_id=pair.pair_id,
        viewer_id=user_id,
        member_ids=pair.user_ids,
        in_force=rules_in_force(session=session, team_id=team_id, pair_id=pair.pair_id),
        pending=pending_proposal(session=session, team_id=team_id, pair_id=pair.pair_id),
    )


def history(*, session: Session, team_id: str, pair_id: int, user_id: str) -> list[Proposal]:
    """Every version of the pair's rules, oldest first. Members only."""
    pair = _member_pair(session, team_id, pair_id, user_id)
    members = _member_ids(pair)
    return [_proposal(row, members) for row in _versions(session, pair.id)]


def draft(*, session: Session, team_id: str, pair_id: int, user_id: str, version: int | None = None) -> Draft:
    """The proposal form for `user_id`: from `version` when answering it ("Suggest changes"),
    else from the pending proposal or the rules in force, else from both profiles."""
    pair = _member_pair(session, team_id, pair_id, user_id)
    _require_open(pair)
    members = _member_ids(pair)
    rows = _versions(session, pair.id)
    in_force = next((r for r in rows if r.status == AGREED), None)
    source: RulesProposal | None
    if version is not None:
        source = _version_to_answer(rows, version)
    else:
        source = next((r for r in rows if r.status == PENDING), None) or in_force
    if source is None:
        return _draft_from_profiles(session, team_id, pair.id, user_id, members)
    goals = _goals_of(source, members)
    return Draft(
        pair_id=pair.id,
        user_id=user_id,
        member_ids=members,
        based_on=source.version,
        is_counter=source.status == PENDING and source.proposed_by != user_id,
        in_force_version=in_force.version if in_force else None,
        frequency=source.frequency,
        meeting_ways=tuple(source.meeting_ways),
        confidentiality_exceptions=source.confidentiality_exceptions,
        off_limits=source.off_limits,
        my_goal=goals.get(user_id, ""),
        peer_goals={u: g for u, g in goals.items() if u != user_id and g},
    )


def _draft_from_profiles(
    session: Session, team_id: str, pair_id: int, user_id: str, members: tuple[str, ...]
) -> Draft:
    """A first proposal starts from what everyone's profile agrees on, and nothing else."""
    found = session.scalars(
        select(Profile).where(Profile.team_id == team_id, Profile.user_id.in_(members))
    ).all()
    everyone = len(found) == len(members)
    frequencies = {p.user_id: p.frequency for p in found}
    frequency = found[0].frequency if everyone and len(set(frequencies.values())) == 1 else None
    shared_ways = set.intersection(*(set(p.meeting_ways) for p in found)) if everyone else set()
    return Draft(
        pair_id=pair_id,
        user_id=user_id,
        member_ids=members,
        based_on=None,
        is_counter=False,
        in_force_version=None,
        frequency=frequency,
        meeting_ways=tuple(c.value for c in options.MEETING_WAYS if c.value in shared_ways),
        confidentiality_exceptions="",
        off_limits="",
        my_goal="",
        preferred_frequencies={} if frequency else frequencies,
    )


# --- changing ---------------------------------------------------------------------------


def propose(
    *,
    session: Session,
    team_id: str,
    pair_id: int,
    user_id: str,
    rules: ValidRules,
    based_on: int | None,
    now: datetime,
) -> ProposalOutcome:
    """A new version from a member, replacing any pending one; the proposer agrees to it.

    `based_on` is the version the member's form was copied from: a pending proposal from
    someone else newer than that was not seen, and the outcome says it was replaced.
    """
    pair = _member_pair(session, team_id, pair_id, user_id)
    _lock(session, pair)
    members = _member_ids(pair)
    rows = _versions(session, pair.id)
    pending = [r for r in rows if r.status == PENDING]
    in_force = next((r for r in rows if r.status == AGREED), None)
    in_force_version = in_force.version if in_force else None

    if pending and pending[-1].proposed_by == user_id and _same(pending[-1], rules, user_id):
        return ProposalOutcome(
            _proposal(pending[-1], members), created=False, in_force_version=in_force_version
        )

    newest = pending[-1] if pending else in_force
    goals = {u: g for u, g in (_goals_of(newest, members) if newest else {}).items() if g}
    goals[user_id] = rules.my_goal
    for row in pending:
        row.status = SUPERSEDED
    row = RulesProposal(
        team_id=team_id,
        pair_id=pair.id,
        version=(rows[-1].version if rows else 0) + 1,
        proposed_by=user_id,
        proposed_at=now,
        status=PENDING,
        frequency=rules.frequency,
        meeting_ways=list(rules.meeting_ways),
        confidential=True,
        confidentiality_exceptions=rules.confidentiality_exceptions,
        off_limits=rules.off_limits,
        feedback_commitment=True,
        respect_commitment=True,
        member_goals=goals,
    )
    row.agreements.append(RulesAgreement(team_id=team_id, user_id=user_id, agreed_at=now))
    session.add(row)
    _flush(session)
    unseen = any(r.version > (based_on or 0) and r.proposed_by != user_id for r in pending)
    return ProposalOutcome(
        _proposal(row, members),
        created=True,
        replaced=tuple(_proposal(r, members) for r in pending),
        replaced_unseen=unseen,
        in_force_version=in_force_version,
    )


def counter_propose(
    *,
    session: Session,
    team_id: str,
    pair_id: int,
    user_id: str,
    version: int,
    rules: ValidRules,
    now: datetime,
) -> ProposalOutcome:
    """ "Suggest changes" to `version`: a proposal back to the others, based on that version.

    Submitted after a newer proposal arrived, it still wins (the newest proposal always
    does), and the outcome's `replaced_unseen` says so.
    """
    return propose(
        session=session,
        team_id=team_id,
        pair_id=pair_id,
        user_id=user_id,
        rules=rules,
        based_on=version,
        now=now,
    )


def agree(
    *, session: Session, team_id: str, pair_id: int, user_id: str, version: int, now: datetime
) -> AgreementOutcome:
    """A member agrees to `version`. Refused if a newer version replaced it; a repeat is a no-op.

    The last agreement puts the version in force (the one before is superseded) and makes
    the pair active.
    """
    pair = _member_pair(session, team_id, pair_id, user_id)
    _lock(session, pair)
    members = _member_ids(pair)
    rows = _versions(session, pair.id)
    row = next((r for r in rows if r.version == version), None)
    if row is None:
        raise DomainError(f"Your pair has no version {version} of its ground rules, so nothing was changed.")
    if row.status == SUPERSEDED:
        raise StaleProposal(version, rows[-1].version)
    if row.status == AGREED:
        return AgreementOutcome(_proposal(row, members), newly_agreed=False, in_force=True, activated=False)
    if user_id in {a.user_id for a in row.agreements}:
        return AgreementOutcome(_proposal(row, members), newly_agreed=False, in_force=False, activated=False)

    row.agreements.append(RulesAgreement(team_id=team_id, user_id=user_id, agreed_at=now))
    agreed = {a.user_id for a in row.agreements}
    activated = set(members) <= agreed
    if activated:
        for older in rows:
            if older.status == AGREED:
                older.status = SUPERSEDED
        row.status = AGREED
        row.agreed_at = now
        pair.status = PairStatus.ACTIVE
    _flush(session)
    return AgreementOutcome(
        _proposal(row, members), newly_agreed=True, in_force=activated, activated=activated
    )


def record_message(
    *, session: Session, team_id: str, pair_id: int, version: int, channel: str, ts: str
) -> None:
    """Remember where a proposal was posted, so it can be edited once answered or replaced."""
    session.execute(
        update(RulesProposal)
        .where(
            RulesProposal.team_id == team_id,
            RulesProposal.pair_id == pair_id,
            RulesProposal.version == version,
        )
        .values(message_channel=channel, message_ts=ts)
        .execution_options(synchronize_session="fetch")
    )


# --- helpers ----------------------------------------------------------------------------


def _member_pair(session: Session, team_id: str, pair_id: int, user_id: str) -> Pair:
    """The pair, if `user_id` is in it; anyone else learns nothing, not even that it exists."""
    pair = session.scalar(
        select(Pair).where(Pair.id == pair_id, Pair.team_id == team_id).options(selectinload(Pair.members))
    )
    if pair is None or user_id not in _member_ids(pair):
        raise NotAllowed(NOT_A_MEMBER)
    return pair


def _require_open(pair: Pair) -> None:
    if pair.ended_at is not None or pair.status == PairStatus.ENDED:
        raise PairEnded()


def _lock(session: Session, pair: Pair) -> None:
    """Serialise changes to one pair's rules.

    SELECT … FOR UPDATE does nothing on SQLite; this no-op UPDATE takes the row lock on
    PostgreSQL and the database write lock on SQLite, so whatever is read next is current
    and stays so until commit. The pair is then re-read: it may have ended meanwhile.
    """
    session.execute(
        update(Pair)
        .where(Pair.id == pair.id)
        .values(status=Pair.status)
        .execution_options(synchronize_session=False)
    )
    session.refresh(pair, ["status", "ended_at"])
    _require_open(pair)


def _versions(session: Session, pair_id: int) -> list[RulesProposal]:
    return list(
        session.scalars(
            select(RulesProposal)
            .where(RulesProposal.pair_id == pair_id)
            .order_by(RulesProposal.version)
            .options(selectinload(RulesProposal.agreements))
            .execution_options(populate_existing=True)
        )
    )


def _version_to_answer(rows: list[RulesProposal], version: int) -> RulesProposal:
    row = next((r for r in rows if r.version == version), None)
    if row is None:
        raise DomainError(f"Your pair has no version {version} of its ground rules.")
    if row.status == SUPERSEDED:
        raise StaleProposal(version, rows[-1].version)
    return row


def _flush(session: Session) -> None:
    # The pair lock makes a clash on (pair, version) or (proposal, person) all but impossible;
    # should one happen anyway, the whole change is refused rather than half-saved.
    try:
        session.flush()
    except IntegrityError as clash:
        raise RulesChangedMeanwhile() from clash


def _same(row: RulesProposal, rules: ValidRules, user_id: str) -> bool:
    return (
        row.frequency == rules.frequency
        and list(row.meeting_ways) == list(rules.meeting_ways)
        and row.confidentiality_exceptions == rules.confidentiality_exceptions
        and row.off_limits == rules.off_limits
        and (row.member_goals or {}).get(user_id, "") == rules.my_goal
    )


def _member_ids(pair: Pair) -> tuple[str, ...]:
    return tuple(member.user_id for member in pair.members)


def _goals_of(row: RulesProposal, members: tuple[str, ...]) -> dict[str, str]:
    """Goals of current members only, in member order; "" for those who haven't said."""
    stored = row.member_goals or {}
    return {user: stored.get(user, "") for user in members}


def _proposal(row: RulesProposal, members: tuple[str, ...]) -> Proposal:
    return Proposal(
        pair_id=row.pair_id,
        version=row.version,
        status=row.status,
        proposed_by=row.proposed_by,
        proposed_at=row.proposed_at,
        agreed_at=row.agreed_at,
        frequency=row.frequency,
        meeting_ways=tuple(row.meeting_ways),
        confidentiality_exceptions=row.confidentiality_exceptions,
        off_limits=row.off_limits,
        member_goals=_goals_of(row, members),
        member_ids=members,
        agreed_by=tuple(a.user_id for a in row.agreements),
        message_channel=row.message_channel,
        message_ts=row.message_ts,
    )


def _in_force(row: RulesProposal, members: tuple[str, ...]) -> RulesInForce:
    assert row.agreed_at is not None
    return RulesInForce(
        pair_id=row.pair_id,
        version=row.version,
        frequency=row.frequency,
        meeting_ways=tuple(row.meeting_ways),
        confidentiality_exceptions=row.confidentiality_exceptions,
        off_limits=row.off_limits,
        agreed_at=row.agreed_at,
        member_goals=_goals_of(row, members),
        member_ids=members,
        proposed_by=row.proposed_by,
    )
