"""Export and delete-my-data against a person with data in every feature; uninstall."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import JSON, String, Text, func, inspect, select
from sqlalchemy.orm import Session

from bot.models import (
    AuditLog,
    Base,
    Feedback,
    OutboxMessage,
    Pair,
    PastPairing,
    Profile,
    ProgramSettings,
    Recipient,
    Waitlist,
)
from bot.services import admin_settings, ground_rules, outbox, privacy, summaries
from bot.services.feedback import ValidFeedback, give_feedback
from bot.services.ground_rules import ValidRules
from bot.services.matching import current_pair, end_pair, run_round
from bot.services.matching.history import pair_key
from bot.services.summaries import Scope
from tests.factories import make_profile
from tests.services.people import answer

ZED, PEER, PAST, OTHER = "UZED9ERASE", "UPEER1", "UPAST1", "UOTHERTEAM"

# Words only ZED ever wrote: none may survive delete-my-data, anywhere.
ZEDS_WORDS = [
    "Quokka wrangling",
    "Zanzibar haggling",
    "Team Platypus-Lantern",
    "Once juggled flaming xylophones",
    "my divorce paperwork zebra",
    "unless a xylophone emergency",
    "learn kumquat budgeting",
    "your walrus diagrams",
    "fewer marmalade metaphors",
    "ask me about quasar cooking",
]
# Written to ZED by their peer (for ZED's eyes only): erased with ZED's data too.
WORDS_TO_ZED = ["tremendous pelican energy", "try the ferret protocol"]


def zed_profile(session: Session, now: datetime) -> Profile:
    return make_profile(
        session,
        ZED,
        now=now,
        can_share=["Quokka wrangling", "Public speaking"],
        want_to_grow=["Zanzibar haggling", "Negotiation"],
        team_name="Team Platypus-Lantern",
        background="Once juggled flaming xylophones",
        function="engineering",
    )


def pair_up(session: Session, now: datetime) -> None:
    """ZED and PAST were paired once and rematched; now ZED and PEER are paired (for real, by
    matching), with agreed rules, check-ins, feedback both ways and messages planned."""
    zed_profile(session, now - timedelta(days=60))
    make_profile(session, PAST, now=now - timedelta(days=60), can_share=["Negotiation"], want_to_grow=["Public speaking"])
    first = run_round(
        session=session, team_id="T1", now=now - timedelta(days=60), seed=1, forbid_same_team=False, odd_person="waitlist", trigger="admin"
    )
    assert {frozenset(p.user_ids) for p in first.pairs} == {frozenset({ZED, PAST})}
    end_pair(session=session, team_id="T1", user_id=ZED, now=now - timedelta(days=40), reason="rematch")
    session.get(Profile, _profile_id(session, PAST)).paused = True
    make_profile(session, PEER, now=now - timedelta(days=30), can_share=["Negotiation"], want_to_grow=["Public speaking"])
    second = run_round(
        session=session, team_id="T1", now=now - timedelta(days=30), seed=2, forbid_same_team=False, odd_person="waitlist", trigger="admin"
    )
    assert {frozenset(p.user_ids) for p in second.pairs} == {frozenset({ZED, PEER})}
    pair_id = second.pairs[0].pair_id
    rules = ValidRules(
        frequency="weekly",
        meeting_ways=["video"],
        confidentiality_exceptions="unless a xylophone emergency",
        off_limits="my divorce paperwork zebra",
        my_goal="learn kumquat budgeting",
    )
    outcome = ground_rules.propose(
        session=session, team_id="T1", pair_id=pair_id, user_id=ZED, rules=rules, based_on=None, now=now - timedelta(days=29)
    )
    ground_rules.agree(
        session=session, team_id="T1", pair_id=pair_id, user_id=PEER, version=outcome.proposal.version, now=now - timedelta(days=28)
    )
    answer(session, session.get(Pair, pair_id), ZED, "met", at=now - timedelta(days=7))
    give_feedback(
        session=session,
        team_id="T1",
        pair_id=pair_id,
        author_id=ZED,
        recipient_id=PEER,
        feedback=ValidFeedback("your walrus diagrams", "fewer marmalade metaphors", "ask me about quasar cooking"),
        now=now - timedelta(days=6),
    )
    give_feedback(
        session=session,
        team_id="T1",
        pair_id=pair_id,
        author_id=PEER,
        recipient_id=ZED,
        feedback=ValidFeedback("tremendous pelican energy", "try the ferret protocol", ""),
        now=now - timedelta(days=6),
    )
    outbox.plan(session=session, team_id="T1", kind="checkin", pair_id=pair_id, period="5", recipient=ZED, due_at=now, now=now)
    outbox.plan(
        session=session, team_id="T1", kind="feedback_balance", pair_id=pair_id, period=f"from-{ZED}", recipient=PEER,
        due_at=now, now=now, payload={"giver": ZED},
    )
    session.add(Recipient(team_id="T1", user_id=ZED, dm_channel_id="D0ZED", verified_at=now))
    # ZED is also a named manager who once changed a setting, and was counted in a summary.
    admin_settings.update_settings(
        session=session,
        team_id="T1",
        actor_id=ZED,
        actor_is_admin=True,
        settings=_with_managers(session, (ZED, "UBOSS")),
        now=now - timedelta(days=3),
    )
    make_profile(session, OTHER, now=now)
    session.flush()


def _with_managers(session, managers):
    from dataclasses import replace

    return replace(admin_settings.current_settings(session=session, team_id="T1"), manager_ids=tuple(sorted(managers)))


def _profile_id(session, user_id):
    return session.scalar(select(Profile.id).where(Profile.user_id == user_id))


def text_columns():
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text, JSON)):
                yield table, column


def everything_stored(session: Session) -> list[tuple[str, str, str]]:
    """Every text and JSON value in every table, as (table, column, text)."""
    found = []
    for table, column in text_columns():
        for (value,) in session.execute(select(column).select_from(table)):
            if value is not None:
                found.append((table.name, column.name, value if isinstance(value, str) else json.dumps(value)))
    return found


def test_every_table_is_accounted_for():
    """A new table must say whether it holds personal data (and how export and delete handle it)."""
    covered = {t for source in privacy.SOURCES for t in source.tables}
    assert covered.isdisjoint(privacy.NOT_PERSONAL)
    assert covered | set(privacy.NOT_PERSONAL) == set(Base.metadata.tables)


def test_export_holds_everything_about_the_person(session, now):
    pair_up(session, now)
    data = privacy.export_my_data(session=session, team_id="T1", user_id=ZED, now=now)
    json.dumps(data)  # complete and JSON-ready
    assert data["user_id"] == ZED and data["workspace"] == "T1"
    assert data["profile"]["can_share"] == ["Quokka wrangling", "Public speaking"]
    assert data["profile"]["background"] == "Once juggled flaming xylophones"
    assert [(p["peers"], p["end_reason"]) for p in data["pairs"]] == [([PAST], "rematch"), ([PEER], None)]
    assert "public speaking" in data["pairs"][1]["why_matched"]
    [rules] = data["ground_rules"]
    assert rules["you_agreed"] and rules["status"] == "agreed" and rules["off_limits"] == "my divorce paperwork zebra"
    assert rules["what_each_wants"][ZED] == "learn kumquat budgeting"
    assert [a["answer"] for a in data["check_ins"]["answers"]] == ["met"]
    assert [(f["to"], f["did_well"]) for f in data["feedback"]["given"]] == [(PEER, "your walrus diagrams")]
    assert [(f["from"], f["did_well"]) for f in data["feedback"]["received"]] == [(PEER, "tremendous pelican energy")]
    assert sorted(m["kind"] for m in data["messages_planned"]) == ["checkin", "feedback"]
    assert data["delivery"]["direct_message_channel"] == "D0ZED"
    assert data["program_roles"]["named_as_manager"] is True
    assert [c["setting"] for c in data["program_roles"]["settings_you_changed"]] == ["manager_ids"]
    # Nothing of anyone else's beyond what ZED was shown: not the other team member's profile.
    assert OTHER not in json.dumps(data)


def test_delete_my_data_leaves_none_of_their_words_anywhere(session, now):
    pair_up(session, now)
    # A summary counted ZED: its record keeps a fingerprint, never their id or words.
    summaries.publish_summary(
        session=session, team_id="T1", scope=Scope("channel", "C0ALL"), member_ids=[ZED, PEER, PAST, OTHER],
        channel_id="C0ALL", now=now,
    )
    before = everything_stored(session)
    assert {w for w in ZEDS_WORDS + WORDS_TO_ZED if any(w in text for *_, text in before)} == set(
        ZEDS_WORDS + WORDS_TO_ZED
    )

    erasure = privacy.delete_my_data(session=session, team_id="T1", user_id=ZED, now=now)
    assert erasure.had_data and erasure.peers_to_tell == (PEER,)

    leftovers = [
        (table, column, word)
        for table, column, text in everything_stored(session)
        for word in [*ZEDS_WORDS, *WORDS_TO_ZED, ZED]
        if word in text
    ]
    assert leftovers == []
    # What stays: the peer, the past pairings as hashes, and the ended pair for the peer's history.
    assert session.scalar(select(func.count()).select_from(PastPairing)) == 2
    assert current_pair(session=session, team_id="T1", user_id=PEER) is None
    assert session.get(ProgramSettings, "T1").manager_ids == ["UBOSS"]
    assert {a.actor_id for a in session.scalars(select(AuditLog))} == {privacy.ERASED}
    assert session.scalar(select(func.count()).select_from(Feedback)) == 0
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient == PEER)) >= 1


def test_after_deletion_matching_never_pairs_them_with_a_past_peer_again(session, now):
    pair_up(session, now)
    privacy.delete_my_data(session=session, team_id="T1", user_id=ZED, now=now)
    assert session.scalar(select(PastPairing.id).where(PastPairing.pair_key == pair_key("T1", ZED, PEER)))
    # ZED comes back; their past peers are in the pool too, and nobody else is.
    zed_profile(session, now + timedelta(days=1))
    session.get(Profile, _profile_id(session, PAST)).paused = False
    session.delete(session.get(Profile, _profile_id(session, OTHER)))
    session.flush()
    result = run_round(
        session=session, team_id="T1", now=now + timedelta(days=2), seed=3, forbid_same_team=False,
        odd_person="waitlist", trigger="admin",
    )
    assert not any(ZED in p.user_ids for p in result.pairs)
    assert {frozenset(p.user_ids) for p in result.pairs} == {frozenset({PEER, PAST})}


def test_deleting_takes_someone_off_the_waitlist_and_is_harmless_when_there_is_nothing(session, now):
    make_profile(session, "UWAIT")
    session.add(Waitlist(team_id="T1", user_id="UWAIT", since=now))
    session.flush()
    assert privacy.delete_my_data(session=session, team_id="T1", user_id="UWAIT", now=now).had_data
    assert session.scalar(select(func.count()).select_from(Waitlist)) == 0
    nothing = privacy.delete_my_data(session=session, team_id="T1", user_id="UNOBODY", now=now)
    assert not nothing.had_data and nothing.peers_to_tell == ()


def test_every_table_cascades_from_its_workspace(engine):
    """Uninstalling deletes the workspace row; every other row must go with it."""
    inspector = inspect(engine)
    reaches = {"workspaces"}
    changed = True
    while changed:
        changed = False
        for name in Base.metadata.tables:
            if name in reaches:
                continue
            for fk in inspector.get_foreign_keys(name):
                if fk["referred_table"] in reaches and (fk.get("options") or {}).get("ondelete", "").upper() == "CASCADE":
                    reaches.add(name)
                    changed = True
                    break
    assert set(Base.metadata.tables) - reaches == set()


@pytest.mark.parametrize("how", ["service", "database cascade"])
def test_uninstall_erases_one_workspace_only(session, now, how):
    pair_up(session, now)
    for user in ("U5", "U6"):
        make_profile(session, user, team_id="T2")
    run_round(session=session, team_id="T2", now=now, seed=1, forbid_same_team=False, odd_person="waitlist", trigger="admin")
    session.flush()
    if how == "service":
        assert privacy.erase_workspace(session=session, team_id="T1")
    else:
        from bot.models import Workspace

        session.delete(session.get(Workspace, "T1"))
    session.flush()
    session.expire_all()
    for table in Base.metadata.sorted_tables:
        if "team_id" in table.c:
            teams = set(session.scalars(select(table.c.team_id).distinct()))
            assert "T1" not in teams, table.name
    assert session.scalar(select(func.count()).select_from(Profile).where(Profile.team_id == "T2")) == 2
    assert session.scalar(select(func.count()).select_from(Pair).where(Pair.team_id == "T2")) == 1
