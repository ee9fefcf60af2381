"""Self-service data rights: export everything the app holds about a person, or erase it;
and erase a whole workspace when the app is uninstalled.

Every table is accounted for. `SOURCES` lists where personal data lives, each with how to
export and how to erase one person's share of it; `NOT_PERSONAL` lists the tables that hold
none, with the reason. tests/services/test_privacy.py fails when a table is in neither, so a
new feature cannot add personal data that export and delete-my-data silently miss.

What erasure keeps, on purpose:
* `past_pairings`: a one-way hash of each two-person combination ever paired, so nobody is
  paired with a past peer again (matching's promise survives the deletion);
* summary snapshots: one-way 64-bit fingerprints of the people a published team summary
  counted, with the counts it showed, so a later summary can never be subtracted from it to
  single someone out. They hold no answers, names or ids.
Both are keyed hashes of a user id; neither says anything the person told the app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, or_, select, update
from sqlalchemy.orm import Session, selectinload

from bot.models import (
    AuditLog,
    Base,
    Checkin,
    CheckinAnswer,
    Feedback,
    OutboxMessage,
    Pair,
    PairMember,
    Profile,
    ProgramSettings,
    Recipient,
    RulesProposal,
    Waitlist,
    Workspace,
)
from bot.services import ground_rules, outbox, profiles
from bot.services.checkins import PAIR_PROMPTS
from bot.services.feedback import feedback_for
from bot.services.matching.explain import explain
from bot.services.matching.pairs import end_pair
from bot.services.matching.scoring import Reason
from bot.services.program import program_settings

# What an erased person's id becomes where a record must keep its shape (the audit log).
ERASED = "deleted"


@dataclass(frozen=True)
class Erasure:
    had_data: bool
    # People whose pair ended because of the erasure: tell them kindly.
    peers_to_tell: tuple[str, ...]
    ended_pair_id: int | None


@dataclass(frozen=True)
class _Person:
    session: Session
    team_id: str
    user_id: str
    now: datetime

    def pair_ids(self) -> list[int]:
        return list(
            self.session.scalars(
                select(PairMember.pair_id)
                .where(PairMember.team_id == self.team_id, PairMember.user_id == self.user_id)
                .order_by(PairMember.pair_id)
            )
        )


@dataclass(frozen=True)
class PersonalData:
    """One kind of personal data: where it lives, how to export it, how to erase it."""

    name: str
    tables: tuple[str, ...]
    export: Callable[[_Person], Any]
    erase: Callable[[_Person], None]


# --- profile ---------------------------------------------------------------------------------


def _export_profile(p: _Person) -> Any:
    row = profiles.get_profile(session=p.session, team_id=p.team_id, user_id=p.user_id)
    if row is None:
        return None
    return {
        "can_share": row.can_share,
        "want_to_grow": row.want_to_grow,
        "career_goals": row.career_goals,
        "experience_level": row.experience_level,
        "function": row.function,
        "team_name": row.team_name,
        "background": row.background,
        "meeting_ways": row.meeting_ways,
        "frequency": row.frequency,
        "feedback_commitment": row.feedback_commitment,
        "time_zone": row.tz,
        "paused": row.paused,
        "paused_until": _iso(row.paused_until),
        "joined_at": _iso(row.joined_at),
        "updated_at": _iso(row.updated_at),
    }


def _erase_profile(p: _Person) -> None:
    p.session.execute(delete(Profile).where(Profile.team_id == p.team_id, Profile.user_id == p.user_id))


# --- pairs -----------------------------------------------------------------------------------


def _export_pairs(p: _Person) -> Any:
    pairs = p.session.scalars(
        select(Pair).where(Pair.id.in_(p.pair_ids())).options(selectinload(Pair.members)).order_by(Pair.id)
    ).all()
    return [
        {
            "pair_id": pair.id,
            "peers": [m.user_id for m in pair.members if m.user_id != p.user_id],
            "matched_at": _iso(pair.created_at),
            "ended_at": _iso(pair.ended_at),
            "end_reason": pair.end_reason,
            "why_matched": explain([Reason.from_json(raw) for raw in pair.reasons]) if pair.reasons else "",
        }
        for pair in pairs
    ]


def _export_waitlist(p: _Person) -> Any:
    row = p.session.scalar(
        select(Waitlist).where(Waitlist.team_id == p.team_id, Waitlist.user_id == p.user_id)
    )
    return {"waiting_since": _iso(row.since)} if row else None


def _erase_pairs(p: _Person) -> None:
    """Leave every pair: the membership goes, and so does every reason that mentions them (the
    reasons quote both people's topics). The pair itself stays for the others' history."""
    for pair in p.session.scalars(
        select(Pair).where(Pair.id.in_(p.pair_ids())).options(selectinload(Pair.members))
    ):
        pair.reasons = [r for r in pair.reasons if p.user_id not in (r.get("users") or [])]
    p.session.execute(
        delete(PairMember).where(PairMember.team_id == p.team_id, PairMember.user_id == p.user_id)
    )
    p.session.execute(delete(Waitlist).where(Waitlist.team_id == p.team_id, Waitlist.user_id == p.user_id))


# --- ground rules ----------------------------------------------------------------------------


def _export_rules(p: _Person) -> Any:
    versions = []
    for pair_id in p.pair_ids():
        for proposal in ground_rules.history(
            session=p.session, team_id=p.team_id, pair_id=pair_id, user_id=p.user_id
        ):
            versions.append(
                {
                    "pair_id": pair_id,
                    "version": proposal.version,
                    "status": proposal.status,
                    "proposed_by": proposal.proposed_by,
                    "proposed_at": _iso(proposal.proposed_at),
                    "agreed_by_everyone_at": _iso(proposal.agreed_at),
                    "you_agreed": p.user_id in proposal.agreed_by,
                    "frequency": proposal.frequency,
                    "meeting_ways": list(proposal.meeting_ways),
                    "confidentiality_exceptions": proposal.confidentiality_exceptions,
                    "off_limits": proposal.off_limits,
                    "what_each_wants": dict(proposal.member_goals),
                }
            )
    return versions


def _erase_rules(p: _Person) -> None:
    """A pair's rules are written together (each version carries both people's words), and the
    pair has ended for everyone, so every version of every pair they were in goes."""
    p.session.execute(
        delete(RulesProposal).where(
            RulesProposal.team_id == p.team_id, RulesProposal.pair_id.in_(p.pair_ids())
        )
    )


# --- check-ins -------------------------------------------------------------------------------


def _export_checkins(p: _Person) -> Any:
    rows = p.session.execute(
        select(
            Checkin.pair_id, Checkin.number, Checkin.due_at, CheckinAnswer.answer, CheckinAnswer.answered_at
        )
        .join(Checkin, Checkin.id == CheckinAnswer.checkin_id)
        .where(CheckinAnswer.team_id == p.team_id, CheckinAnswer.user_id == p.user_id)
        .order_by(CheckinAnswer.answered_at, CheckinAnswer.id)
    )
    answers = [
        {
            "pair_id": pair_id,
            "check_in": number,
            "due_at": _iso(due),
            "answer": answer,
            "answered_at": _iso(at),
        }
        for pair_id, number, due, answer, at in rows
    ]
    decisions = p.session.execute(
        select(Checkin.pair_id, Checkin.number, Checkin.decision, Checkin.decided_at).where(
            Checkin.team_id == p.team_id, Checkin.decided_by == p.user_id
        )
    )
    return {
        "answers": answers,
        "decisions_after_a_quiet_spell": [
            {"pair_id": pair_id, "check_in": number, "decision": decision, "decided_at": _iso(at)}
            for pair_id, number, decision, at in decisions
        ],
    }


def _erase_checkins(p: _Person) -> None:
    p.session.execute(
        delete(CheckinAnswer).where(CheckinAnswer.team_id == p.team_id, CheckinAnswer.user_id == p.user_id)
    )
    p.session.execute(
        update(Checkin)
        .where(Checkin.team_id == p.team_id, Checkin.decided_by == p.user_id)
        .values(decided_by=None)
    )


# --- feedback --------------------------------------------------------------------------------


def _export_feedback(p: _Person) -> Any:
    views = feedback_for(session=p.session, team_id=p.team_id, reader_id=p.user_id)

    def item(view: Any, other: str) -> dict[str, Any]:
        return {
            other: view.recipient_id if other == "to" else view.author_id,
            "pair_id": view.pair_id,
            "did_well": view.did_well,
            "suggestion": view.suggestion,
            "ask_next": view.ask_next,
            "given_at": _iso(view.created_at),
        }

    return {
        "given": [item(v, "to") for v in views if v.author_id == p.user_id],
        "received": [item(v, "from") for v in views if v.recipient_id == p.user_id],
    }


def _erase_feedback(p: _Person) -> None:
    """Feedback they wrote, and feedback written to them (it was for their eyes only)."""
    p.session.execute(
        delete(Feedback).where(
            Feedback.team_id == p.team_id,
            or_(Feedback.author_id == p.user_id, Feedback.recipient_id == p.user_id),
        )
    )


# --- outbox and delivery ---------------------------------------------------------------------


def _mentions(p: _Person) -> Any:
    return [
        OutboxMessage.team_id == p.team_id,
        or_(
            OutboxMessage.recipient.contains(p.user_id),
            OutboxMessage.key.contains(p.user_id),
            cast(OutboxMessage.payload, String).contains(p.user_id),
        ),
    ]


def _export_outbox(p: _Person) -> Any:
    rows = p.session.scalars(select(OutboxMessage).where(*_mentions(p)).order_by(OutboxMessage.due_at))
    return [
        {"kind": r.kind, "status": r.status, "due_at": _iso(r.due_at), "sent_at": _iso(r.sent_at)}
        for r in rows
        if p.user_id in r.recipient.split(",")
    ]


def _erase_outbox(p: _Person) -> None:
    p.session.execute(delete(OutboxMessage).where(*_mentions(p)).execution_options(synchronize_session=False))


def _export_delivery(p: _Person) -> Any:
    row = p.session.scalar(
        select(Recipient).where(Recipient.team_id == p.team_id, Recipient.user_id == p.user_id)
    )
    if row is None:
        return None
    return {
        "direct_message_channel": row.dm_channel_id,
        "last_confirmed_active": _iso(row.verified_at),
        "unreachable_since": _iso(row.gone_at),
    }


def _erase_delivery(p: _Person) -> None:
    p.session.execute(delete(Recipient).where(Recipient.team_id == p.team_id, Recipient.user_id == p.user_id))


# --- program roles ---------------------------------------------------------------------------


def _export_roles(p: _Person) -> Any:
    program = program_settings(session=p.session, team_id=p.team_id)
    changes = p.session.scalars(
        select(AuditLog)
        .where(AuditLog.team_id == p.team_id, AuditLog.actor_id == p.user_id)
        .order_by(AuditLog.changed_at, AuditLog.id)
    )
    return {
        "named_as_manager": p.user_id in program.manager_ids,
        "settings_you_changed": [
            {"setting": c.field, "from": c.old_value, "to": c.new_value, "at": _iso(c.changed_at)}
            for c in changes
        ],
    }


def _erase_roles(p: _Person) -> None:
    """No longer a named manager; in the audit log, their id becomes "deleted" (the record of
    what changed and when stays, who did it does not)."""
    row = p.session.get(ProgramSettings, p.team_id)
    if row is not None and p.user_id in row.manager_ids:
        before = list(row.manager_ids)
        row.manager_ids = [m for m in before if m != p.user_id]
        row.updated_at = p.now
        p.session.add(
            AuditLog(
                team_id=p.team_id,
                actor_id=p.user_id,
                field="manager_ids",
                old_value=before,
                new_value=list(row.manager_ids),
                changed_at=p.now,
            )
        )
        p.session.flush()
    for entry in p.session.scalars(
        select(AuditLog).where(
            AuditLog.team_id == p.team_id,
            or_(
                AuditLog.actor_id == p.user_id,
                cast(AuditLog.old_value, String).contains(p.user_id),
                cast(AuditLog.new_value, String).contains(p.user_id),
            ),
        )
    ):
        entry.actor_id = ERASED if entry.actor_id == p.user_id else entry.actor_id
        entry.old_value = _replace_id(entry.old_value, p.user_id)
        entry.new_value = _replace_id(entry.new_value, p.user_id)


def _replace_id(value: Any, user_id: str) -> Any:
    if isinstance(value, list):
        return [_replace_id(v, user_id) for v in value]
    if isinstance(value, dict):
        return {k: _replace_id(v, user_id) for k, v in value.items()}
    if value == user_id:
        return ERASED
    return value


SOURCES: tuple[PersonalData, ...] = (
    PersonalData("profile", ("profiles",), _export_profile, _erase_profile),
    # Rules and check-ins are found through pair memberships, so they go before the pairs.
    PersonalData("ground_rules", ("rules_proposals", "rules_agreements"), _export_rules, _erase_rules),
    PersonalData("check_ins", ("checkins", "checkin_answers"), _export_checkins, _erase_checkins),
    PersonalData("feedback", ("feedback",), _export_feedback, _erase_feedback),
    PersonalData("pairs", ("pairs", "pair_members"), _export_pairs, _erase_pairs),
    PersonalData("waitlist", ("waitlist",), _export_waitlist, lambda p: None),
    PersonalData("messages_planned", ("outbox",), _export_outbox, _erase_outbox),
    PersonalData("delivery", ("recipients",), _export_delivery, _erase_delivery),
    PersonalData("program_roles", ("program_settings", "audit_log"), _export_roles, _erase_roles),
)

NOT_PERSONAL: dict[str, str] = {
    "workspaces": "the workspace itself; erased with everything else on uninstall",
    "match_rounds": "counts and a random seed per round, no people",
    "past_pairings": "one-way hashes of past pairs, kept so nobody is re-paired with a past peer",
    "summary_subscriptions": "which channels get a summary, and how often",
    "summary_snapshots": "published counts and one-way fingerprints, kept for the subtraction guard",
    "workspace_delivery": "a workspace's sending state",
    "seen_events": "Slack's ids of events received in the last hour, to skip retries",
}


def export_my_data(*, session: Session, team_id: str, user_id: str, now: datetime) -> dict[str, Any]:
    """Everything the app holds about the person, as JSON-ready data."""
    person = _Person(session, team_id, user_id, now)
    data: dict[str, Any] = {
        "about": (
            "Everything Peer Mentor holds about you in this workspace. Managers never see any of "
            "it: team summaries are counts only."
        ),
        "exported_at": _iso(now),
        "workspace": team_id,
        "user_id": user_id,
    }
    for source in SOURCES:
        data[source.name] = source.export(person)
    data["kept_after_deletion"] = (
        "If you delete your data, only one-way hashes remain: one per past pairing, so you are "
        "never paired with a past peer again, and fingerprints in published team totals, so two "
        "summaries can never be compared to single you out."
    )
    return data


def delete_my_data(*, session: Session, team_id: str, user_id: str, now: datetime) -> Erasure:
    """Erase everything personal; end an active pair (its other members are returned)."""
    person = _Person(session, team_id, user_id, now)
    had_data = _has_data(person)
    ended = end_pair(session=session, team_id=team_id, user_id=user_id, now=now, reason="deleted")
    if ended is not None:
        outbox.cancel_pending(
            session=session, team_id=team_id, reason="pair_ended", pair_id=ended.pair_id, kinds=PAIR_PROMPTS
        )
    for source in SOURCES:
        source.erase(person)
    session.flush()
    session.expire_all()
    return Erasure(
        had_data=had_data,
        peers_to_tell=ended.other_user_ids if ended else (),
        ended_pair_id=ended.pair_id if ended else None,
    )


def erase_workspace(*, session: Session, team_id: str) -> bool:
    """Everything about a workspace, for app_uninstalled / tokens_revoked. True if it existed.

    Every table cascades from `workspaces` (tests check it); rows are also deleted table by
    table, children first, so the outcome never depends on the database enforcing that.
    """
    existed = session.get(Workspace, team_id) is not None
    for table in reversed(Base.metadata.sorted_tables):
        if "team_id" in table.c and table.name != "workspaces":
            session.execute(delete(table).where(table.c.team_id == team_id))
    session.execute(delete(Workspace).where(Workspace.team_id == team_id))
    session.expire_all()
    return existed


def _has_data(p: _Person) -> bool:
    if profiles.get_profile(session=p.session, team_id=p.team_id, user_id=p.user_id) is not None:
        return True
    return bool(p.pair_ids()) or bool(
        p.session.scalar(
            select(Feedback.id).where(Feedback.team_id == p.team_id, Feedback.author_id == p.user_id).limit(1)
        )
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
