"""Ground rules against a real database: propose, suggest changes, agree; versions; who may act."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.ids import RulesField
from bot.models import MatchRound, Pair, PairMember, Profile, RulesAgreement, RulesProposal, Workspace
from bot.services import ground_rules
from bot.services.errors import InvalidInput, NotAllowed
from bot.services.ground_rules import (
    NoPeerYet,
    PairEnded,
    RulesAnswers,
    StaleProposal,
    ValidRules,
)

ANN, BOB, CAT, DAN = "U1", "U2", "U3", "U4"

RULES = ValidRules(
    frequency="biweekly",
    meeting_ways=["video", "in_person"],
    confidentiality_exceptions="Unless someone's safety is at risk",
    off_limits="Salaries",
    my_goal="Get better at presenting to leadership",
)

GOOD = RulesAnswers(
    frequency="weekly",
    meeting_ways=["in_person", "dm"],
    confidential=True,
    confidentiality_exceptions="  Unless someone is at risk  ",
    off_limits="",
    my_goal=" Learn to say no ",
    feedback_commitment=True,
    respect_commitment=True,
)


def make_pair(session, now, *members: str, team_id: str = "T1") -> int:
    if session.get(Workspace, team_id) is None:
        session.add(Workspace(team_id=team_id, created_at=now))
        session.flush()
    round_ = MatchRound(
        team_id=team_id,
        started_at=now,
        seed=1,
        trigger="admin",
        odd_person="trio",
        eligible_count=len(members),
        pair_count=1,
        trio_count=int(len(members) == 3),
        waitlisted_count=0,
    )
    session.add(round_)
    session.flush()
    pair = Pair(team_id=team_id, round_id=round_.id, created_at=now, status="new", score=10.0, reasons=[])
    pair.members = [PairMember(team_id=team_id, user_id=user) for user in members]
    session.add(pair)
    session.flush()
    return pair.id


def add_profile(session, now, user, *, frequency="biweekly", ways=("video",), team_id="T1"):
    session.add(
        Profile(
            team_id=team_id,
            user_id=user,
            can_share=["Public speaking"],
            want_to_grow=["Negotiation"],
            career_goals=[],
            experience_level="mid",
            function="engineering",
            team_name="Payments",
            background="",
            meeting_ways=list(ways),
            frequency=frequency,
            feedback_commitment=True,
            tz="UTC",
            paused=False,
            joined_at=now,
            updated_at=now,
        )
    )
    session.flush()


def propose(session, now, pair_id, user, rules=RULES, based_on=None, team_id="T1"):
    return ground_rules.propose(
        session=session,
        team_id=team_id,
        pair_id=pair_id,
        user_id=user,
        rules=rules,
        based_on=based_on,
        now=now,
    )


def agree(session, now, pair_id, user, version, team_id="T1"):
    return ground_rules.agree(
        session=session, team_id=team_id, pair_id=pair_id, user_id=user, version=version, now=now
    )


def pair_status(session, pair_id):
    return session.scalar(select(Pair.status).where(Pair.id == pair_id))


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


# --- the happy paths --------------------------------------------------------------------


def test_propose_then_agree_makes_the_rules_in_force_and_the_pair_active(session, now):
    pair_id = make_pair(session, now, ANN, BOB)
    sent = propose(session, now, pair_id, ANN)
    assert sent.created and sent.proposal.version == 1 and sent.proposal.status == "pending"
    # The proposer agrees by proposing; only the peer is waited for.
    assert sent.proposal.agreed_by == (ANN,) and sent.proposal.waiting_for == (BOB,)
    assert ground_rules.rules_in_force(session=session, team_id="T1", pair_id=pair_id) is None
    assert pair_status(session, pair_id) == "new"

    later = now + timedelta(hours=2)
    outcome = agree(session, later, pair_id, BOB, 1)
    assert outcome.newly_agreed and outcome.in_force and outcome.activated
    assert outcome.proposal.waiting_for == ()
    assert pair_status(session, pair_id) == "active"

    rules = ground_rules.rules_in_force(session=session, team_id="T1", pair_id=pair_id)
    assert rules is not None
    assert (rules.version, rules.frequency, rules.meeting_ways) == (1, "biweekly", ("video", "in_person"))
    assert rules.confidentiality_exceptions == "Unless someone's safety is at risk"
    assert rules.off_limits == "Salaries" and rules.agreed_at == later
    assert rules.member_goals == {ANN: "Get better at presenting to leadership", BOB: ""}
    assert ground_rules.pending_proposal(session=session, team_id="T1", pair_id=pair_id) is None


def test_propose_counter_propose_agree(session, now):
    pair_id = make_pair(session, now, ANN, BOB)
    propose(session, now, pair_id, ANN)
    bobs = replace(RULES, frequency="monthly", off_limits="Salaries, reorgs", my_goal="Run better meetings")
    counter = ground_rules.counter_propose(
        session=session, team_id="T1", pair_id=pair_id, user_id=BOB, version=1, rules=bobs, now=now
    )
    assert counter.created and counter.proposal.version == 2
    assert [r.version for r in counter.replaced] == [1] and not counter.replaced_unseen
    assert counter.proposal.waiting_for == (ANN,)
    # Each member's own words: Ann's goal is carried over untouched, Bob's is his.
    assert counter.proposal.member_goals == {ANN: RULES.my_goal, BOB: "Run better meetings"}

    outcome = agree(session, now, pair_id, ANN, 2)
    assert outcome.activated and pair_status(session, pair_id) == "active"
    rules = ground_rules.rules_in_force(session=session, team_id="T1", pair_id=pair_id)
    assert rules.version == 2 and rules.frequency == "monthly" and rules.proposed_by == BOB
    statuses = session.execute(
        select(RulesProposal.version, RulesProposal.status).order_by(RulesProposal.version)
    ).all()
    assert statuses == [(1, "superseded"), (2, "agreed")]


def test_trio_needs_all_three(session, now):
    pair_id = make_pair(session, now, ANN, BOB, CAT)
    propose(session, now, pair_id, ANN)
    first = agree(session, now, pair_id, BOB, 1)
    assert first.newly_agreed and not first.in_force and first.proposal.waiting_for == (CAT,)
    assert ground_rules.rules_in_force(session=session, team_id="T1", pair_id=pair_id) is None
    assert pair_status(session, pair_id) == "new"
    last = agree(session, now, pair_id, CAT, 1)
    assert last.activated and pair_status(session, pair_id) == "active"
    assert ground_rules.rules_in_force(session=session, team_id="T1", pair_id=pair_id).member_ids == (
        ANN,
        BOB,
        CAT,
    )


# --- versions ---------------------------------------------------------------------------


def test_the_agreed_version_stays_in_force_while_a_change_is_pending_and_history_is_kept(session, now):
    pair_id = make_pair(session, now, ANN, BOB)
    propose(session, now, pair_id, ANN)
    agree(session, now, pair_id, BOB, 1)

    change = propose(session, now + timedelta(days=30), pair_id, BOB, replace(RULES, frequency="weekly"))
    assert change.proposal.version == 2 and change.in_force_version == 1
    in_force = ground_rules.rules_in_force(session=session, team_id="T1", pair_id=pair_id)
    assert in_force.version == 1 and in_force.frequency == "biweekly"
    pending = ground_rules.pending_proposal(session=session, team_id="T1", pair_id=pair_id)
    assert pending.version == 2 and pending.waiting_for == (ANN,)

    agree(session, now + timedelta(days=31), pair_id, ANN, 2)
    assert ground_rules.rules_in_force(session=session, team_id="T1", pair_id=pair_id).frequency == "weekly"
    history = ground_rules.history(session=session, team_id="T1", pair_id=pair_id, user_id=ANN)
    assert [(p.version, p.status, p.frequency) for p in history] == [
        (1, "superseded", "biweekly"),
        (2, "agreed", "weekly"),
    ]
    # The old version keeps when it was agreed, and who agreed to it.
    assert history[0].agreed_at == now and set(history[0].agreed_by) == {ANN, BOB}
    assert pair_status(session, pair_id) == "active"


def test_agreeing_to_a_replaced_version_is_refused_and_changes_nothing(session, now):
    pair_id = make_pair(session, now, ANN, BOB)
    propose(session, now, pair_id, ANN)
    propose(session, now, pair_id, BOB, replace(RULES, frequency="monthly"))
    agreements = count(session, RulesAgreement)
    with pytest.raises(StaleProposal) as refused:
        agree(session, now, pair_id, BOB, 1)
    assert "version 1" in refused.value.message and "version 2" in refused.value.message
    assert count(session, RulesAgreement) == agreements
    assert ground_rules.rules_in_force(session=session, team_id="T1", pair_id=pair_id) is None
    # "Suggest changes" on the replaced version is refused the same way.
    with pytest.raises(StaleProposal):
        ground_rules.draft(session=session, team_id="T1", pair_id=pair_id, user_id=ANN, version=1)


def test_an_older_agreed_version_is_stale_once_a_newer_one_is_agreed(session, now):
    pair_id = make_pair(session, now, ANN, BOB)
    propose(session, now, pair_id, ANN)
    agree(session, now, pair_id, BOB, 1)
    propose(session, now, pair_id, ANN, replace(RULES, frequency="weekly"))
    agree(session, now, pair_id, BOB, 2)
    with pytest.raises(StaleProposal):
        agree(session, now, pair_id, BOB, 1)


def test_double_clicks_and_double_submissions_change_nothing(session, now):
    pair_id = make_pair(session, now, ANN, BOB, CAT)
    propose(session, now, pair_id, ANN)
    again = propose(session, now, pair_id, ANN)
    assert not again.created and again.proposal.version == 1
    assert count(session, RulesProposal) == 1

    agree(session, now, pair_id, BOB, 1)
    twice = agree(session, now, pair_id, BOB, 1)
    assert not twice.newly_agreed and not twice.in_force
    assert count(session, RulesAgreement) == 2
    # The proposer "agreeing" to their own proposal is also a no-op.
    assert not agree(session, now, pair_id, ANN, 1).newly_agreed

    agree(session, now, pair_id, CAT, 1)
    after = agree(session, now, pair_id, CAT, 1)
    assert not after.newly_agreed and after.in_force and not after.activated
    assert count(session, RulesAgreement) == 3


def test_a_changed_resubmission_is_a_new_version(session, now):
    pair_id = make_pair(session, now, ANN, BOB)
    propose(session, now, pair_id, ANN)
    edited = propose(session, now, pair_id, ANN, replace(RULES, off_limits=""))
    assert edited.created and edited.proposal.version == 2 and not edited.replaced_unseen


# --- two people at once -----------------------------------------------------------------


def test_crossing_proposals_the_newer_wins_and_says_it_replaced_an_unseen_one(session_factory, now):
    with session_factory.begin() as session:
        pair_id = make_pair(session, now, ANN, BOB)
    # Both open the form with nothing proposed yet; Ann sends first, then Bob.
    with session_factory.begin() as session:
        for user in (ANN, BOB):
            assert (
                ground_rules.draft(session=session, team_id="T1", pair_id=pair_id, user_id=user).based_on
                is None
            )
    with session_factory.begin() as session:
        assert propose(session, now, pair_id, ANN).proposal.version == 1
    with session_factory.begin() as session:
        bobs = propose(session, now, pair_id, BOB, replace(RULES, my_goal="Bob's goal"))
    assert bobs.proposal.version == 2 and bobs.replaced_unseen
    assert [r.version for r in bobs.replaced] == [1]
    with session_factory.begin() as session, pytest.raises(StaleProposal):
        agree(session, now, pair_id, BOB, 1)
    with session_factory.begin() as session:
        assert agree(session, now, pair_id, ANN, 2).activated


def test_simultaneous_proposals_in_two_transactions_get_distinct_versions(session_factory, now):
    with session_factory.begin() as session:
        pair_id = make_pair(session, now, ANN, BOB)
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def send(user: str) -> None:
        start.wait()
        try:
            with session_factory.begin() as session:
                outcomes[user] = propose(session, now, pair_id, user, replace(RULES, my_goal=f"{user} goal"))
        except Exception as error:  # reported by the assertion below
            outcomes[user] = error

    threads = [threading.Thread(target=send, args=(user,)) for user in (ANN, BOB)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(not isinstance(o, Exception) for o in outcomes.values()), outcomes
    with session_factory.begin() as session:
        rows = session.execute(
            select(RulesProposal.version, RulesProposal.status, RulesProposal.proposed_by).order_by(
                RulesProposal.version
            )
        ).all()
    # Served one after the other: the later one is version 2 and replaced the earlier one.
    assert [(v, s) for v, s, _ in rows] == [(1, "superseded"), (2, "pending")]
    assert {by for _, _, by in rows} == {ANN, BOB}


# --- who may act ------------------------------------------------------------------------


def test_non_members_can_neither_see_nor_change_the_rules(session, now):
    pair_id = make_pair(session, now, ANN, BOB)
    propose(session, now, pair_id, ANN)
    before = (count(session, RulesProposal), count(session, RulesAgreement))
    for attempt in (
        lambda: propose(session, now, pair_id, DAN),
        lambda: agree(session, now, pair_id, DAN, 1),
        lambda: ground_rules.draft(session=session, team_id="T1", pair_id=pair_id, user_id=DAN),
        lambda: ground_rules.history(session=session, team_id="T1", pair_id=pair_id, user_id=DAN),
        lambda: propose(session, now, pair_id + 999, ANN),
    ):
        with pytest.raises(NotAllowed) as refused:
            attempt()
        assert "Only the people in a pairing" in refused.value.message
    assert (count(session, RulesProposal), count(session, RulesAgreement)) == before
    assert pair_status(session, pair_id) == "new"


def test_pairs_in_other_workspaces_are_untouched(session, now):
    t1_pair = make_pair(session, now, ANN, BOB)
    t2_pair = make_pair(session, now, "U5", "U6", team_id="T2")
    propose(session, now, t2_pair, "U5", team_id="T2")
    # T1's people can't reach T2's pair, even by naming its id, and vice versa.
    with pytest.raises(NotAllowed):
        agree(session, now, t2_pair, ANN, 1)
    with pytest.raises(NotAllowed):
        agree(session, now, t2_pair, "U6", 1, team_id="T1")
    assert ground_rules.pending_proposal(session=session, team_id="T1", pair_id=t2_pair) is None

    propose(session, now, t1_pair, ANN)
    agree(session, now, t1_pair, BOB, 1)
    assert pair_status(session, t1_pair) == "active" and pair_status(session, t2_pair) == "new"
    t2 = ground_rules.pending_proposal(session=session, team_id="T2", pair_id=t2_pair)
    assert t2.version == 1 and t2.waiting_for == ("U6",)
    assert ground_rules.rules_in_force(session=session, team_id="T2", pair_id=t2_pair) is None


def test_an_ended_pair_can_no_longer_change_its_rules(session, now):
    pair_id = make_pair(session, now, ANN, BOB)
    propose(session, now, pair_id, ANN)
    pair = session.get(Pair, pair_id)
    pair.ended_at, pair.status = now, "ended"
    session.flush()
    with pytest.raises(PairEnded):
        agree(session, now, pair_id, BOB, 1)
    with pytest.raises(PairEnded):
        propose(session, now, pair_id, BOB)
    assert count(session, RulesProposal) == 1 and count(session, RulesAgreement) == 1


def test_current_pair_and_status_view(session, now):
    with pytest.raises(NoPeerYet):
        ground_rules.current_pair_id(session=session, team_id="T1", user_id=ANN)
    pair_id = make_pair(session, now, ANN, BOB)
    assert ground_rules.current_pair_id(session=session, team_id="T1", user_id=ANN) == pair_id
    propose(session, now, pair_id, ANN)
    view = ground_rules.pair_rules_for(session=session, team_id="T1", user_id=BOB)
    assert view.pair_id == pair_id and view.peer_ids == (ANN,)
    assert view.in_force is None and view.pending.version == 1
    assert ground_rules.pair_rules_for(session=session, team_id="T1", user_id=DAN) is None


# --- the form ---------------------------------------------------------------------------


def test_a_first_draft_takes_what_both_profiles_agree_on(session, now):
    pair_id = make_pair(session, now, ANN, BOB)
    add_profile(session, now, ANN, frequency="monthly", ways=("dm", "video"))
    add_profile(session, now, BOB, frequency="monthly", ways=("video", "in_person"))
    draft = ground_rules.draft(session=session, team_id="T1", pair_id=pair_id, user_id=ANN)
    assert draft.frequency == "monthly" and draft.meeting_ways == ("video",)
    assert draft.based_on is None and not draft.is_counter and draft.preferred_frequencies == {}


def test_a_first_draft_leaves_open_what_the_profiles_disagree_on(session, now):
    pair_id = make_pair(session, now, ANN, BOB)
    add_profile(session, now, ANN, frequency="weekly", ways=("dm",))
    add_profile(session, now, BOB, frequency="monthly", ways=("in_person",))
    draft = ground_rules.draft(session=session, team_id="T1", pair_id=pair_id, user_id=BOB)
    assert draft.frequency is None and draft.meeting_ways == ()
    assert draft.preferred_frequencies == {ANN: "weekly", BOB: "monthly"}


def test_suggesting_changes_starts_from_that_proposal_with_only_my_goal_editable(session, now):
    pair_id = make_pair(session, now, ANN, BOB)
    propose(session, now, pair_id, ANN)
    draft = ground_rules.draft(session=session, team_id="T1", pair_id=pair_id, user_id=BOB, version=1)
    assert draft.is_counter and draft.based_on == 1 and draft.frequency == "biweekly"
    assert draft.my_goal == "" and draft.peer_goals == {ANN: RULES.my_goal}
    mine = ground_rules.draft(session=session, team_id="T1", pair_id=pair_id, user_id=ANN)
    assert not mine.is_counter and mine.my_goal == RULES.my_goal and mine.peer_goals == {}


def test_good_answers_are_tidied():
    valid = ground_rules.validate_rules(GOOD)
    assert valid.meeting_ways == ["dm", "in_person"]  # the list's order, not the click order
    assert (
        valid.confidentiality_exceptions == "Unless someone is at risk" and valid.my_goal == "Learn to say no"
    )


BAD = {
    RulesField.FREQUENCY: [{"frequency": None}, {"frequency": "daily"}],
    RulesField.MEETING_WAYS: [{"meeting_ways": []}, {"meeting_ways": ["carrier_pigeon"]}],
    RulesField.CONFIDENTIAL: [{"confidential": False}],
    RulesField.CONFIDENTIALITY_EXCEPTIONS: [{"confidentiality_exceptions": "x" * 301}],
    RulesField.OFF_LIMITS: [{"off_limits": "x" * 301}],
    RulesField.MY_GOAL: [{"my_goal": "   "}, {"my_goal": "x" * 201}],
    RulesField.FEEDBACK_COMMITMENT: [{"feedback_commitment": False}],
    RulesField.RESPECT_COMMITMENT: [{"respect_commitment": False}],
}


@pytest.mark.parametrize(
    ("field", "change"), [(field, change) for field, changes in BAD.items() for change in changes]
)
def test_each_bad_field_is_named(field, change):
    with pytest.raises(InvalidInput) as invalid:
        ground_rules.validate_rules(replace(GOOD, **change))
    assert set(invalid.value.field_errors) == {field}
    assert invalid.value.field_errors[field]


def test_every_bad_field_is_named_at_once_and_limits_are_exact():
    everything_wrong = RulesAnswers(
        frequency=None,
        meeting_ways=[],
        confidential=False,
        confidentiality_exceptions="x" * 301,
        off_limits="x" * 301,
        my_goal="",
        feedback_commitment=False,
        respect_commitment=False,
    )
    with pytest.raises(InvalidInput) as invalid:
        ground_rules.validate_rules(everything_wrong)
    assert set(invalid.value.field_errors) == set(RulesField)
    at_limit = replace(GOOD, confidentiality_exceptions="x" * 300, off_limits="x" * 300, my_goal="x" * 200)
    assert ground_rules.validate_rules(at_limit).my_goal == "x" * 200
