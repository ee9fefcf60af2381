"""Check-ins: when each pair's falls due, who is asked when, their answers, and quiet pairs.

Schedule. A pair's check-ins follow the frequency in its ground rules, counted from the
moment the rules were agreed: check-in n falls due at `agreed_at + n periods` (weeks, two
weeks, or calendar months). A new frequency restarts the count from the new agreement. The
instant is UTC; each member is then asked at the first moment inside *their own* working
hours (bot/services/working_hours.py), so a daylight-saving change moves the UTC time of
the prompt but never skips or repeats one: a check-in is a numbered row, and its prompt a
uniquely keyed outbox row. If the worker was down for several periods, only the latest
check-in is created — nobody gets a burst of stale prompts.

Answers. Each member answers for themselves: "met", "not_yet" (a reminder follows in a few
days, within the period) or "skip". The pair met if anyone says so; the first "met" plans a
feedback nudge for every member (the one who clicked sees it at once, in place).

Quiet pairs. Missed check-ins in a row (no "met", no "skip", nobody paused) escalate: after
two, the next check-in carries a gentle note; after three, everyone gets an offer instead —
keep going, pause, or rematch — and no more check-ins come until someone answers it (or
logs a meeting). Nobody is nagged forever. While anyone in the pair is paused, the pair's
periods pass quietly (outcome "paused") and the schedule carries on when they are back.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session, selectinload

from bot.models import Checkin, CheckinAnswer, Pair, Profile, RulesProposal
from bot.models.states import CheckinAnswerKind, CheckinOutcome, Escalation, PairStatus, QuietDecision
from bot.services import outbox, profiles
from bot.services.errors import DomainError, NotAllowed
from bot.services.ground_rules import AGREED, RulesInForce, rules_in_force
from bot.services.matching.pairs import EndedPair, current_pair, end_pair
from bot.services.starters import choose_starter
from bot.services.working_hours import WorkingHours, hours_for, next_working_time

# Outbox kinds planned here.
CHECKIN = "checkin"
REMINDER = "checkin_reminder"
OFFER = "quiet_offer"
FEEDBACK_NUDGE = "feedback_nudge"
PAIR_ENDED = "pair_ended"
WELCOME_BACK = "welcome_back"
PEER_PAUSED = "peer_paused"
PAIR_PROMPTS = (CHECKIN, REMINDER, OFFER, FEEDBACK_NUDGE)

MET, NOT_YET, SKIP = CheckinAnswerKind.MET, CheckinAnswerKind.NOT_YET, CheckinAnswerKind.SKIP
ANSWERS = (MET, NOT_YET, SKIP)
KEEP_GOING, PAUSE, REMATCH = QuietDecision.KEEP_GOING, QuietDecision.PAUSE, QuietDecision.REMATCH
DECISIONS = (KEEP_GOING, PAUSE, REMATCH)
NO_ESCALATION, GENTLE, OFFERED = Escalation.NONE, Escalation.GENTLE, Escalation.OFFER

REMIND_AFTER = timedelta(days=3)
OFFER_PAUSE_WEEKS = 4
PERIOD_DAYS = {"weekly": 7, "biweekly": 14}


class NoActivePair(DomainError):
    def __init__(self, has_pair: bool) -> None:
        super().__init__(
            "Check-ins start once you and your peer agree your ground rules: type `/peer-mentor rules`."
            if has_pair
            else "You don't have a peer yet. Once you're matched and agree your ground rules, "
            "check-ins start."
        )


class PairHasEnded(DomainError):
    def __init__(self) -> None:
        super().__init__("This pairing has ended, so there's nothing more to answer here.")


@dataclass(frozen=True)
class CheckinView:
    checkin_id: int
    team_id: str
    pair_id: int
    number: int
    member_ids: tuple[str, ...]
    due_at: datetime
    next_due_at: datetime
    outcome: str | None
    escalation: str
    decision: str | None
    answers: dict[str, str]
    pair_ended: bool
    starter: str | None = None

    def peers_of(self, user_id: str) -> tuple[str, ...]:
        return tuple(u for u in self.member_ids if u != user_id)

    @property
    def met(self) -> bool:
        return MET in self.answers.values()

    @property
    def waiting_for_decision(self) -> bool:
        return self.escalation == OFFERED and self.decision is None and not self.met


@dataclass(frozen=True)
class AnswerOutcome:
    checkin: CheckinView
    answer: str
    # False when this person had already answered for good (a second click): nothing changed.
    changed: bool
    # Set when "not yet" planned a reminder; None means "at the next check-in".
    reminder_at: datetime | None = None
    # Set when a peer's answer stands for the pair (they said "We met" first).
    answered_by: str | None = None


@dataclass(frozen=True)
class DecisionOutcome:
    checkin: CheckinView
    decision: str
    paused_until: datetime | None = None
    ended: EndedPair | None = None


@dataclass
class PlanSummary:
    checkins: int = 0
    prompts: int = 0
    paused_periods: int = 0
    last_pair_id: int | None = None
    # The check-ins opened (prompts planned) by this run.
    checkin_ids: list[int] = field(default_factory=list)
    planned: list[outbox.Planned] = field(default_factory=list)


# --- the schedule -------------------------------------------------------------------------


class Agreement(Protocol):
    """What the schedule needs from a pair's rules in force (ground_rules.RulesInForce)."""

    @property
    def frequency(self) -> str: ...

    @property
    def agreed_at(self) -> datetime: ...

    @property
    def version(self) -> int: ...


@dataclass(frozen=True)
class _Agreed:
    frequency: str
    agreed_at: datetime
    version: int


def _agreements(session: Session, team_id: str, pair_ids: list[int]) -> dict[int, _Agreed]:
    """The rules in force of many pairs in one query (the version whose status is "agreed",
    see bot/models/ground_rules.py), instead of one `rules_in_force` call per pair."""
    rows = session.execute(
        select(
            RulesProposal.pair_id, RulesProposal.frequency, RulesProposal.agreed_at, RulesProposal.version
        ).where(
            RulesProposal.team_id == team_id,
            RulesProposal.pair_id.in_(pair_ids),
            RulesProposal.status == AGREED,
        )
    )
    return {
        pair_id: _Agreed(frequency, agreed_at, version)
        for pair_id, frequency, agreed_at, version in rows
        if agreed_at
    }


def add_months(at: datetime, months: int) -> datetime:
    index = at.month - 1 + months
    year, month = at.year + index // 12, index % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def period_due(anchor: datetime, frequency: str, step: int) -> datetime:
    """When check-in `step` after `anchor` falls due (UTC)."""
    if frequency == "monthly":
        return add_months(anchor, step)
    return anchor + timedelta(days=PERIOD_DAYS.get(frequency, 14) * step)


def _next_step(last: Checkin | None, rules: Agreement) -> tuple[datetime, int]:
    """Anchor and step of the check-in after `last` (a new frequency starts a new anchor)."""
    if last is None or last.frequency != rules.frequency:
        return rules.agreed_at, 1
    step = last.step + 1
    # After an answer to an offer, only boundaries after that answer count.
    if last.decided_at is not None:
        while period_due(last.anchor_at, rules.frequency, step) <= last.decided_at:
            step += 1
    return last.anchor_at, step


def plan_checkins(
    *, session: Session, team_id: str, now: datetime, after_pair_id: int = 0, limit: int | None = None
) -> PlanSummary:
    """Create the check-ins that have fallen due and plan their prompts in the outbox.

    Idempotent: run again at the same `now`, it finds nothing new. `after_pair_id`/`limit`
    let the worker plan a big workspace in several short transactions (pairs in id order).
    """
    hours = hours_for(session=session, team_id=team_id)
    query = (
        select(Pair)
        .where(
            Pair.team_id == team_id,
            Pair.status == PairStatus.ACTIVE,
            Pair.ended_at.is_(None),
            Pair.id > after_pair_id,
        )
        .order_by(Pair.id)
        .options(selectinload(Pair.members))
    )
    if limit is not None:
        query = query.limit(limit)
    pairs = list(session.scalars(query))
    summary = PlanSummary()
    if not pairs:
        return summary
    summary.last_pair_id = pairs[-1].id
    pair_ids = [p.id for p in pairs]
    latest = _latest_checkins(session, team_id, pair_ids)
    members = {u for p in pairs for u in _members(p)}
    people = {
        p.user_id: p
        for p in session.scalars(
            select(Profile).where(Profile.team_id == team_id, Profile.user_id.in_(members))
        )
    }
    agreed = _agreements(session, team_id, pair_ids)
    for pair in pairs:
        last = latest.get(pair.id)
        if last is not None and _waiting_for_decision(last):
            continue
        rules = agreed.get(pair.id)
        if rules is None:
            continue
        _tell_peers_of_pauses(pair, people, hours, now, summary)
        _advance(session, pair, rules, last, people, hours, now, summary)
    summary.prompts = outbox.plan_many(session=session, team_id=team_id, messages=summary.planned, now=now)
    return summary


def _advance(
    session: Session,
    pair: Pair,
    rules: Agreement,
    last: Checkin | None,
    people: dict[str, Profile],
    hours: WorkingHours,
    now: datetime,
    summary: PlanSummary,
) -> None:
    anchor, step = _next_step(last, rules)
    due = period_due(anchor, rules.frequency, step)
    if due > now:
        return
    # Boundaries that passed while the worker was down are not made up for: one check-in.
    while period_due(anchor, rules.frequency, step + 1) <= now:
        step += 1
        due = period_due(anchor, rules.frequency, step)
    member_ids = _members(pair)
    on_hold = any(profiles.is_paused(people[u], now) for u in member_ids if u in people)
    if last is not None and last.outcome is None:
        last.outcome = _outcome(last, on_hold=on_hold)
        last.closed_at = now
    checkin = Checkin(
        team_id=pair.team_id,
        pair_id=pair.id,
        number=last.number + 1 if last is not None else 1,
        anchor_at=anchor,
        step=step,
        frequency=rules.frequency,
        rules_version=rules.version,
        due_at=due,
        escalation=NO_ESCALATION,
        created_at=now,
    )
    if on_hold:
        checkin.outcome, checkin.closed_at = CheckinOutcome.PAUSED, now
        session.add(checkin)
        session.flush()
        summary.paused_periods += 1
        return
    session.flush()
    streak = missed_streak(session=session, pair_id=pair.id)
    checkin.escalation = OFFERED if streak >= 3 else GENTLE if streak == 2 else NO_ESCALATION
    session.add(checkin)
    session.flush()
    summary.checkins += 1
    summary.checkin_ids.append(checkin.id)
    kind = OFFER if checkin.escalation == OFFERED else CHECKIN
    for user_id in member_ids:
        person = people.get(user_id)
        if person is None:
            continue  # nothing is ever sent to someone who has not opted in
        summary.planned.append(
            outbox.Planned(
                kind=kind,
                recipient=user_id,
                period=str(checkin.number),
                due_at=next_working_time(max(due, now), tz=person.tz, hours=hours),
                pair_id=pair.id,
                payload={"checkin_id": checkin.id},
            )
        )


def _tell_peers_of_pauses(
    pair: Pair, people: dict[str, Profile], hours: WorkingHours, now: datetime, summary: PlanSummary
) -> None:
    """A member who pauses puts the pairing on hold: each peer not paused themselves is told
    once (one DM per pause, keyed by the pause's end) that their peer stepped away and when
    check-ins resume. Planned here, where the pair's periods are planned, so every way of
    pausing (command, modal, the quiet offer) is covered."""
    member_ids = _members(pair)
    for paused_id in member_ids:
        person = people.get(paused_id)
        if person is None or not profiles.is_paused(person, now):
            continue
        until = person.paused_until.isoformat() if person.paused_until else "open"
        for peer_id in member_ids:
            peer = people.get(peer_id)
            if peer_id == paused_id or peer is None or profiles.is_paused(peer, now):
                continue
            summary.planned.append(
                outbox.Planned(
                    kind=PEER_PAUSED,
                    recipient=peer_id,
                    period=f"{paused_id}-{until}",
                    due_at=next_working_time(now, tz=peer.tz, hours=hours),
                    pair_id=pair.id,
                    payload={"paused": paused_id},
                )
            )


def _outcome(checkin: Checkin, *, on_hold: bool) -> CheckinOutcome:
    answers = {a.answer for a in checkin.answers}
    if MET in answers:
        return CheckinOutcome.MET
    if SKIP in answers:
        return CheckinOutcome.SKIPPED
    return CheckinOutcome.PAUSED if on_hold else CheckinOutcome.MISSED


def _waiting_for_decision(checkin: Checkin) -> bool:
    return (
        checkin.escalation == OFFERED
        and checkin.decision is None
        and all(a.answer != MET for a in checkin.answers)
    )


def missed_streak(*, session: Session, pair_id: int) -> int:
    """Closed check-ins missed in a row, newest first. An answered offer starts the count
    afresh (its own period included: they just told us they are keeping going)."""
    rows = session.scalars(
        select(Checkin)
        .where(Checkin.pair_id == pair_id, Checkin.outcome.is_not(None))
        .order_by(Checkin.number.desc())
        .limit(6)
    )
    streak = 0
    for row in rows:
        if row.outcome != CheckinOutcome.MISSED or row.decision is not None:
            break
        streak += 1
    return streak


def _latest_checkins(session: Session, team_id: str, pair_ids: list[int]) -> dict[int, Checkin]:
    newest = (
        select(Checkin.pair_id, func.max(Checkin.number).label("number"))
        .where(Checkin.team_id == team_id, Checkin.pair_id.in_(pair_ids))
        .group_by(Checkin.pair_id)
        .subquery()
    )
    rows = session.scalars(
        select(Checkin)
        .join(newest, and_(Checkin.pair_id == newest.c.pair_id, Checkin.number == newest.c.number))
        .options(selectinload(Checkin.answers))
    )
    return {row.pair_id: row for row in rows}


def _members(pair: Pair) -> tuple[str, ...]:
    return tuple(m.user_id for m in pair.members)


# --- reading -------------------------------------------------------------------------------


def checkin_view(*, session: Session, team_id: str, checkin_id: int, viewer_id: str) -> CheckinView:
    """A check-in as a member sees it; anyone else learns nothing, not even that it exists."""
    checkin, pair = _member_checkin(session, team_id, checkin_id, viewer_id)
    return _view(session, checkin, pair)


def _view(session: Session, checkin: Checkin, pair: Pair) -> CheckinView:
    rules = rules_in_force(session=session, team_id=pair.team_id, pair_id=pair.id)
    starter = choose_starter(
        off_limits=rules.off_limits if rules else "", pair_id=pair.id, number=checkin.number
    )
    return CheckinView(
        checkin_id=checkin.id,
        team_id=checkin.team_id,
        pair_id=pair.id,
        number=checkin.number,
        member_ids=_members(pair),
        due_at=checkin.due_at,
        next_due_at=period_due(checkin.anchor_at, checkin.frequency, checkin.step + 1),
        outcome=checkin.outcome,
        escalation=checkin.escalation,
        decision=checkin.decision,
        answers={a.user_id: a.answer for a in checkin.answers},
        pair_ended=pair.ended_at is not None,
        starter=starter.text if starter else None,
    )


def _member_checkin(session: Session, team_id: str, checkin_id: int, user_id: str) -> tuple[Checkin, Pair]:
    checkin = session.scalar(
        select(Checkin)
        .where(Checkin.id == checkin_id, Checkin.team_id == team_id)
        .options(selectinload(Checkin.answers))
        .execution_options(populate_existing=True)
    )
    pair = session.get(Pair, checkin.pair_id, options=[selectinload(Pair.members)]) if checkin else None
    if checkin is None or pair is None or user_id not in _members(pair):
        raise NotAllowed("That check-in belongs to another pair, so nothing was changed.")
    return checkin, pair


def _lock(session: Session, checkin: Checkin) -> None:
    """Serialise answers to one check-in (a row lock on PostgreSQL, the write lock on SQLite)."""
    session.execute(
        update(Checkin)
        .where(Checkin.id == checkin.id)
        .values(escalation=Checkin.escalation)
        .execution_options(synchronize_session=False)
    )
    session.refresh(checkin)


def current_checkin(*, session: Session, team_id: str, user_id: str, now: datetime) -> CheckinView:
    """The check-in a person answers with `/peer-mentor checkin`: the open one, or — before the
    next falls due — a preview of it with `checkin_id` 0. Nothing is stored until they answer
    (then the check-in is created early, and its prompt is never sent)."""
    pair, rules, last = _active(session, team_id, user_id)
    if last is not None and last.outcome is None:
        return _view(session, last, pair)
    anchor, step = _early_step(last, rules, now)
    number = last.number + 1 if last is not None else 1
    starter = choose_starter(off_limits=rules.off_limits, pair_id=pair.id, number=number)
    return CheckinView(
        checkin_id=0,
        team_id=team_id,
        pair_id=pair.id,
        number=number,
        member_ids=_members(pair),
        due_at=period_due(anchor, rules.frequency, step),
        next_due_at=period_due(anchor, rules.frequency, step + 1),
        outcome=None,
        escalation=NO_ESCALATION,
        decision=None,
        answers={},
        pair_ended=False,
        starter=starter.text if starter else None,
    )


def _active(session: Session, team_id: str, user_id: str) -> tuple[Pair, RulesInForce, Checkin | None]:
    view = current_pair(session=session, team_id=team_id, user_id=user_id)
    if view is None:
        raise NoActivePair(has_pair=False)
    rules = rules_in_force(session=session, team_id=team_id, pair_id=view.pair_id)
    pair = session.get(Pair, view.pair_id, options=[selectinload(Pair.members)])
    if rules is None or pair is None or pair.status != PairStatus.ACTIVE:
        raise NoActivePair(has_pair=True)
    return pair, rules, _latest_checkins(session, team_id, [pair.id]).get(pair.id)


def _early_step(last: Checkin | None, rules: Agreement, now: datetime) -> tuple[datetime, int]:
    anchor, step = _next_step(last, rules)
    while period_due(anchor, rules.frequency, step + 1) <= now:
        step += 1
    return anchor, step


def _current(session: Session, team_id: str, user_id: str, now: datetime) -> tuple[Checkin, Pair]:
    pair, rules, last = _active(session, team_id, user_id)
    if last is not None and last.outcome is None:
        return last, pair
    anchor, step = _early_step(last, rules, now)
    checkin = Checkin(
        team_id=team_id,
        pair_id=pair.id,
        number=last.number + 1 if last is not None else 1,
        anchor_at=anchor,
        step=step,
        frequency=rules.frequency,
        rules_version=rules.version,
        due_at=period_due(anchor, rules.frequency, step),
        escalation=NO_ESCALATION,
        created_at=now,
    )
    session.add(checkin)
    session.flush()
    return checkin, pair


def next_checkin_at(*, session: Session, team_id: str, user_id: str, now: datetime) -> datetime | None:
    """When this person's next check-in should reach them (for `status` and App Home).

    None when there is none to expect: no active pair, paused, or waiting for an answer to
    the "gone quiet" offer.
    """
    view = current_pair(session=session, team_id=team_id, user_id=user_id)
    if view is None or view.status != PairStatus.ACTIVE:
        return None
    profile = profiles.get_profile(session=session, team_id=team_id, user_id=user_id)
    rules = rules_in_force(session=session, team_id=team_id, pair_id=view.pair_id)
    if (
        profile is None
        or rules is None
        or pair_on_hold_until(session=session, team_id=team_id, user_id=user_id, now=now)
    ):
        return None
    last = _latest_checkins(session, team_id, [view.pair_id]).get(view.pair_id)
    if last is not None and _waiting_for_decision(last):
        return None
    hours = hours_for(session=session, team_id=team_id)
    if last is not None and last.outcome is None and user_id not in {a.user_id for a in last.answers}:
        # The open check-in whose question has not reached them yet (due outside their
        # working hours, say) is the next one they get: show its day, not the one after.
        row = outbox.find(
            session=session,
            team_id=team_id,
            key=outbox.outbox_key(CHECKIN, view.pair_id, str(last.number), user_id),
        )
        if row is not None and row.status == outbox.PENDING:
            return next_working_time(max(row.due_at, now), tz=profile.tz, hours=hours)
    anchor, step = _next_step(last, rules)
    due = period_due(anchor, rules.frequency, step)
    return next_working_time(max(due, now), tz=profile.tz, hours=hours)


def pair_on_hold_until(*, session: Session, team_id: str, user_id: str, now: datetime) -> datetime | None:
    """When this person's pairing is on hold because a *peer* is paused: the day the last
    peer's pause ends (`datetime.max` in UTC for a pause with no end date). None when no peer
    is paused. While it is on hold no check-in is promised (DESIGN.md §5: no promise of a
    check-in during a pause)."""
    view = current_pair(session=session, team_id=team_id, user_id=user_id)
    if view is None:
        return None
    until: datetime | None = None
    for peer_id in view.peers_of(user_id):
        peer = profiles.get_profile(session=session, team_id=team_id, user_id=peer_id)
        if peer is None or not profiles.is_paused(peer, now):
            continue
        end = peer.paused_until or datetime.max.replace(tzinfo=now.tzinfo)
        until = end if until is None else max(until, end)
    return until


# --- answering -------------------------------------------------------------------------


def record_answer(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    answer: str,
    now: datetime,
    checkin_id: int | None = None,
) -> AnswerOutcome:
    """A member's answer to a check-in (the current one when `checkin_id` is None).

    "met" and "skip" are final for that member; "not yet" can still become either. A repeat
    changes nothing and says so, so a double click never records twice.
    """
    if answer not in ANSWERS:
        raise ValueError(f"unknown answer {answer!r}")
    answer = CheckinAnswerKind(answer)
    if checkin_id is None:
        checkin, pair = _current(session, team_id, user_id, now)
    else:
        checkin, pair = _member_checkin(session, team_id, checkin_id, user_id)
    if pair.ended_at is not None:
        raise PairHasEnded()
    _lock(session, checkin)
    mine = next((a for a in checkin.answers if a.user_id == user_id), None)
    if mine is not None and (mine.answer in (MET, SKIP) or mine.answer == answer):
        return AnswerOutcome(_view(session, checkin, pair), mine.answer, changed=False)
    met_by = next((a.user_id for a in checkin.answers if a.answer == MET and a.user_id != user_id), None)
    if met_by is not None and answer != MET:
        # One member's "We met" is the pair's answer: a different one is not taken.
        return AnswerOutcome(_view(session, checkin, pair), MET, changed=False, answered_by=met_by)
    pair_had_met = any(a.answer == MET for a in checkin.answers)
    if mine is None:
        mine = CheckinAnswer(team_id=team_id, user_id=user_id, answer=answer, answered_at=now)
        checkin.answers.append(mine)
    else:
        mine.answer, mine.answered_at = answer, now
    if answer == SKIP and not pair_had_met:
        _skip_counts_for_this_period(checkin, now)
    if checkin.outcome is not None and answer in (MET, SKIP):
        # A late answer still tells the truth about that period.
        checkin.outcome = _outcome(checkin, on_hold=checkin.outcome == CheckinOutcome.PAUSED)
    if answer == MET and checkin.escalation == OFFERED and checkin.decision is None:
        checkin.decision, checkin.decided_by, checkin.decided_at = KEEP_GOING, user_id, now
    session.flush()

    hours = hours_for(session=session, team_id=team_id)
    reminder_at = None
    if answer == MET:
        _plan_feedback_nudges(session, checkin, pair, user_id, hours, now, first=not pair_had_met)
    elif answer == NOT_YET and checkin.outcome is None:
        reminder_at = _plan_reminder(session, checkin, user_id, hours, now)
    return AnswerOutcome(_view(session, checkin, pair), answer, changed=True, reminder_at=reminder_at)


def _skip_counts_for_this_period(checkin: Checkin, now: datetime) -> None:
    """A skip given before the check-in fell due (one started with `/peer-mentor checkin`)
    skips the period it was given in, not the next one as well: the check-in is moved back
    to the boundary that began this period, so the next one comes at the coming boundary
    (agreed 18 Dec, skipped 20 Dec: next 18 Jan, not 18 Feb). Moved once: a check-in
    already at or before `now` stays where it is."""
    if checkin.step >= 1 and checkin.due_at > now:
        checkin.step -= 1
        checkin.due_at = period_due(checkin.anchor_at, checkin.frequency, checkin.step)


def _plan_feedback_nudges(
    session: Session,
    checkin: Checkin,
    pair: Pair,
    answered_by: str,
    hours: WorkingHours,
    now: datetime,
    *,
    first: bool,
) -> None:
    """Everyone in the pair is nudged to give feedback; the person who said "We met" sees the
    nudge at once in their updated check-in, so theirs is recorded as delivered."""
    for user_id in _members(pair):
        key = outbox.outbox_key(FEEDBACK_NUDGE, pair.id, str(checkin.number), user_id)
        if user_id == answered_by:
            if not outbox.mark_delivered_elsewhere(session=session, team_id=pair.team_id, key=key, now=now):
                outbox.plan(
                    session=session,
                    team_id=pair.team_id,
                    kind=FEEDBACK_NUDGE,
                    pair_id=pair.id,
                    period=str(checkin.number),
                    recipient=user_id,
                    due_at=now,
                    now=now,
                    payload={"checkin_id": checkin.id},
                    delivered=True,
                )
        elif first:
            _plan_for(
                session,
                pair,
                FEEDBACK_NUDGE,
                str(checkin.number),
                user_id,
                now,
                hours,
                {"checkin_id": checkin.id},
            )


def _plan_reminder(
    session: Session, checkin: Checkin, user_id: str, hours: WorkingHours, now: datetime
) -> datetime | None:
    profile = profiles.get_profile(session=session, team_id=checkin.team_id, user_id=user_id)
    if profile is None:
        return None
    when = next_working_time(now + REMIND_AFTER, tz=profile.tz, hours=hours)
    if when >= period_due(checkin.anchor_at, checkin.frequency, checkin.step + 1):
        return None  # the next check-in comes first
    outbox.plan(
        session=session,
        team_id=checkin.team_id,
        kind=REMINDER,
        pair_id=checkin.pair_id,
        period=str(checkin.number),
        recipient=user_id,
        due_at=when,
        now=now,
        payload={"checkin_id": checkin.id},
    )
    return when


def _plan_for(
    session: Session,
    pair: Pair,
    kind: str,
    period: str,
    user_id: str,
    now: datetime,
    hours: WorkingHours,
    payload: dict[str, int | str],
) -> bool:
    profile = profiles.get_profile(session=session, team_id=pair.team_id, user_id=user_id)
    if profile is None:
        return False
    return outbox.plan(
        session=session,
        team_id=pair.team_id,
        kind=kind,
        pair_id=pair.id,
        period=period,
        recipient=user_id,
        due_at=next_working_time(now, tz=profile.tz, hours=hours),
        now=now,
        payload=payload,
    )


def decide(
    *, session: Session, team_id: str, checkin_id: int, user_id: str, decision: str, now: datetime
) -> DecisionOutcome:
    """An answer to the "gone quiet" offer: keep going, pause this person, or end the pair."""
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    decision = QuietDecision(decision)
    checkin, pair = _member_checkin(session, team_id, checkin_id, user_id)
    if pair.ended_at is not None:
        raise PairHasEnded()
    _lock(session, checkin)
    paused_until = None
    ended = None
    if decision == PAUSE:
        profile = profiles.pause(
            session=session, team_id=team_id, user_id=user_id, weeks=OFFER_PAUSE_WEEKS, now=now
        )
        paused_until = profile.paused_until
    if decision == REMATCH:
        ended = end_pair(session=session, team_id=team_id, user_id=user_id, now=now, reason="quiet")
        outbox.cancel_pending(
            session=session, team_id=team_id, reason="pair_ended", pair_id=pair.id, kinds=PAIR_PROMPTS
        )
        hours = hours_for(session=session, team_id=team_id)
        for other in ended.other_user_ids if ended else ():
            _plan_for(session, pair, PAIR_ENDED, "quiet", other, now, hours, {"ended_by": user_id})
    if checkin.decision is None or decision == REMATCH:
        checkin.decision, checkin.decided_by, checkin.decided_at = decision, user_id, now
    session.flush()
    return DecisionOutcome(_view(session, checkin, pair), decision, paused_until=paused_until, ended=ended)


# --- pauses ending --------------------------------------------------------------------


@dataclass(frozen=True)
class Returning:
    team_id: str
    user_id: str
    paused_until: datetime


def end_pauses(*, session: Session, now: datetime) -> list[Returning]:
    """End every pause whose date has passed and plan each person a "welcome back".

    The welcome is keyed by the pause's end, so two workers doing this at once plan one.
    """
    due = [
        Returning(p.team_id, p.user_id, p.paused_until)
        for p in session.scalars(
            select(Profile).where(
                Profile.paused.is_(True), Profile.paused_until.is_not(None), Profile.paused_until <= now
            )
        )
        if p.paused_until is not None
    ]
    if not due:
        return []
    profiles.end_expired_pauses(session=session, now=now)
    hours_by_team: dict[str, WorkingHours] = {}
    for person in due:
        hours = hours_by_team.get(person.team_id)
        if hours is None:
            hours = hours_by_team[person.team_id] = hours_for(session=session, team_id=person.team_id)
        profile = profiles.get_profile(session=session, team_id=person.team_id, user_id=person.user_id)
        tz = profile.tz if profile else "UTC"
        outbox.plan(
            session=session,
            team_id=person.team_id,
            kind=WELCOME_BACK,
            period=person.paused_until.isoformat(),
            recipient=person.user_id,
            due_at=next_working_time(now, tz=tz, hours=hours),
            now=now,
        )
    return due
