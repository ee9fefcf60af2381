"""The ground-rules modal and messages are valid Block Kit, within Slack's limits, at any length."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.emulator.blockkit import problems
from bot.emulator.driver import button_labels, texts
from bot.emulator.signed_requests import state_values
from bot.ids import PairAction, RulesAction, RulesField
from bot.services import ground_rules
from bot.services.ground_rules import Draft, PairRules, Proposal, RulesInForce
from bot.services.status import ParticipantStatus
from bot.ui.ground_rules import (
    agreed_message,
    agreement_reply,
    proposal_message,
    proposal_modal,
    proposal_ref,
    proposal_sent_notice,
    read_modal_metadata,
    read_pair_ref,
    read_proposal_ref,
    read_rules_answers,
)
from bot.ui.status import home_view, status_message
from tests.ui.test_builders import a_profile

WHEN = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
NASTY = "<b>&amp;</b> & <!channel>"

FIRST = Draft(
    pair_id=7,
    user_id="U1",
    member_ids=("U1", "U2"),
    based_on=None,
    is_counter=False,
    in_force_version=None,
    frequency="biweekly",
    meeting_ways=("video",),
    confidentiality_exceptions="",
    off_limits="",
    my_goal="",
)
DRAFTS = {
    "first": FIRST,
    "profiles differ": replace(
        FIRST, frequency=None, meeting_ways=(), preferred_frequencies={"U1": "weekly", "U2": "monthly"}
    ),
    "counter": replace(
        FIRST,
        user_id="U2",
        based_on=1,
        is_counter=True,
        off_limits=NASTY,
        confidentiality_exceptions="x" * ground_rules.MAX_EXCEPTIONS,
        peer_goals={"U1": NASTY},
    ),
    "change": replace(FIRST, based_on=3, in_force_version=3, my_goal="x" * ground_rules.MAX_GOAL),
    "trio": replace(FIRST, member_ids=("U1", "U2", "U3")),
}


def a_proposal(**changes) -> Proposal:
    fields = dict(
        pair_id=7,
        version=2,
        status="pending",
        proposed_by="U1",
        proposed_at=WHEN,
        agreed_at=None,
        frequency="weekly",
        meeting_ways=("dm", "video", "in_person"),
        confidentiality_exceptions="Unless someone's safety is at risk",
        off_limits="Salaries <and> reorgs",
        member_goals={"U1": "Present with confidence", "U2": ""},
        member_ids=("U1", "U2"),
        agreed_by=("U1",),
    )
    fields.update(changes)
    return Proposal(**fields)


def in_force(**changes) -> RulesInForce:
    fields = dict(
        pair_id=7,
        version=1,
        frequency="monthly",
        meeting_ways=("video",),
        confidentiality_exceptions="",
        off_limits="",
        agreed_at=WHEN,
        member_goals={"U1": "Present with confidence", "U2": "Say no"},
        member_ids=("U1", "U2"),
        proposed_by="U2",
    )
    fields.update(changes)
    return RulesInForce(**fields)


# Every answer at its longest, in the characters that grow most when escaped.
LONGEST = dict(
    confidentiality_exceptions="&" * ground_rules.MAX_EXCEPTIONS,
    off_limits="<" * ground_rules.MAX_OFF_LIMITS,
    member_goals=dict.fromkeys(("U1", "U2", "U3"), "&" * ground_rules.MAX_GOAL),
    member_ids=("U1", "U2", "U3"),
)


@pytest.mark.parametrize("name", DRAFTS)
def test_every_proposal_modal_is_valid(name):
    view = proposal_modal(DRAFTS[name])
    assert problems("modal", view) == []
    assert len(view["title"]["text"]) <= 24 and len(view["submit"]["text"]) <= 24


def test_modal_titles_and_prefill_follow_the_draft():
    first = proposal_modal(FIRST)
    assert first["title"]["text"] == "Our ground rules" and first["submit"]["text"] == "Send to my peer"
    blocks = {b.get("block_id"): b for b in first["blocks"]}
    assert blocks[RulesField.FREQUENCY]["element"]["initial_option"]["value"] == "biweekly"
    # A first proposal asks for each commitment to be ticked, not assumed.
    for field in (RulesField.CONFIDENTIAL, RulesField.FEEDBACK_COMMITMENT, RulesField.RESPECT_COMMITMENT):
        assert "initial_options" not in blocks[field]["element"]
    assert blocks[RulesField.MY_GOAL].get("optional") is not True

    counter = proposal_modal(DRAFTS["counter"])
    assert counter["title"]["text"] == "Suggest changes"
    blocks = {b.get("block_id"): b for b in counter["blocks"]}
    assert blocks[RulesField.CONFIDENTIAL]["element"]["initial_options"]
    assert blocks[RulesField.OFF_LIMITS]["element"]["initial_value"] == NASTY  # plain text: as typed
    assert "&lt;b&gt;&amp;amp;&lt;/b&gt;" in texts(counter) and "<!channel>" not in texts(counter)
    assert proposal_modal(DRAFTS["change"])["title"]["text"] == "Change ground rules"
    assert proposal_modal(DRAFTS["trio"])["submit"]["text"] == "Send to my peers"
    assert "<@U1> every week, <@U2> every month" in texts(proposal_modal(DRAFTS["profiles differ"]))


def test_text_inputs_carry_the_services_limits():
    blocks = {b.get("block_id"): b for b in proposal_modal(FIRST)["blocks"]}
    assert (
        blocks[RulesField.CONFIDENTIALITY_EXCEPTIONS]["element"]["max_length"] == ground_rules.MAX_EXCEPTIONS
    )
    assert blocks[RulesField.OFF_LIMITS]["element"]["max_length"] == ground_rules.MAX_OFF_LIMITS
    assert blocks[RulesField.MY_GOAL]["element"]["max_length"] == ground_rules.MAX_GOAL


def test_the_modal_round_trips_through_slack_state_and_metadata():
    view = proposal_modal(DRAFTS["counter"])
    answers = {
        RulesField.FREQUENCY: {RulesAction.INPUT: "monthly"},
        RulesField.MEETING_WAYS: {RulesAction.INPUT: ["dm", "in_person"]},
        RulesField.MY_GOAL: {RulesAction.INPUT: "Be braver"},
    }
    read = read_rules_answers(state_values(view, answers))
    assert read.frequency == "monthly" and read.meeting_ways == ["dm", "in_person"]
    # Untouched inputs come back with what was pre-filled, as in Slack.
    assert read.confidential and read.feedback_commitment and read.respect_commitment
    assert read.off_limits == NASTY and read.my_goal == "Be braver"
    assert ground_rules.validate_rules(read).frequency == "monthly"
    assert read_modal_metadata(view["private_metadata"]) == (7, 1)
    assert read_modal_metadata(proposal_modal(FIRST)["private_metadata"]) == (7, None)


def test_garbage_reads_as_empty_or_none():
    read = read_rules_answers({RulesField.MEETING_WAYS: {"value": "nope"}, RulesField.FREQUENCY: []})
    assert read.frequency is None and read.meeting_ways == [] and not read.confidential
    for junk in ("", "{", "[]", '{"pair": "7"}', '{"pair": 7, "based_on": "x"}'):
        assert read_modal_metadata(junk) is None
    assert read_proposal_ref(proposal_ref(7, 3)) == (7, 3)
    for junk in (None, "", "7", "7:", ":3", "a:b", "7:3:1"):
        assert read_proposal_ref(junk) is None
    assert read_pair_ref("12") == 12 and read_pair_ref("x") is None and read_pair_ref(None) is None


PROPOSALS = {
    "pending": dict(),
    "pending change": dict(),
    "longest": LONGEST,
    "agreed": dict(status="agreed", agreed_at=WHEN, agreed_by=("U1", "U2")),
    "replaced": dict(status="superseded"),
}


@pytest.mark.parametrize("name", PROPOSALS)
def test_proposal_messages_are_valid(name):
    proposal = a_proposal(**PROPOSALS[name])
    text, blocks = proposal_message(
        proposal,
        in_force_version=1 if name == "pending change" else None,
        replaces=[a_proposal(version=1, proposed_by="U2", status="superseded")],
        crossed=name == "longest",
        replaced_by=3,
    )
    assert text and problems("message", {"text": text, "blocks": blocks}) == []


def test_a_pending_proposal_has_the_buttons_and_an_answered_one_has_none():
    proposal = a_proposal()
    message = dict(zip(("text", "blocks"), proposal_message(proposal), strict=True))
    assert button_labels(message) == ["Agree", "Suggest changes"]
    values = {e["value"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert values == {"7:2"}
    body = texts(message)
    assert "Every week" in body and "Salaries &lt;and&gt; reorgs" in body and "not said yet" in body
    assert "Waiting for <@U2>" in body
    for changes in PROPOSALS["agreed"], PROPOSALS["replaced"]:
        _text, blocks = proposal_message(a_proposal(**changes), replaced_by=3)
        assert button_labels({"blocks": blocks}) == []
    assert "replaced by version 3" in proposal_message(a_proposal(status="superseded"), replaced_by=3)[0]


def agree_button(proposal: Proposal) -> dict:
    _text, blocks = proposal_message(proposal)
    [agree] = [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["text"]["text"] == "Agree"]
    return agree


def test_agreeing_with_a_goal_not_said_yet_is_asked_about_first():
    # U2 is asked to agree while their goal is "not said yet": named, and a confirm dialog first.
    proposal = a_proposal()
    assert "<@U2> hasn’t said yet what they want from this pairing" in texts(
        {"blocks": proposal_message(proposal)[1]}
    )
    confirm = agree_button(proposal)["confirm"]
    assert confirm["confirm"]["text"] == "Agree as it is" and confirm["deny"]["text"] == "Go back"
    assert "Suggest changes" in confirm["text"]["text"]
    # With everyone's goal said, Agree is one click and nobody is named.
    said = a_proposal(member_goals={"U1": "Present with confidence", "U2": "Run calmer meetings"})
    assert "confirm" not in agree_button(said)
    assert "hasn’t said yet" not in texts({"blocks": proposal_message(said)[1]})


def test_an_agreed_proposal_points_to_the_confirmation_instead_of_repeating_the_rules():
    _text, blocks = proposal_message(a_proposal(status="agreed", agreed_at=WHEN, agreed_by=("U1", "U2")))
    words = texts({"blocks": blocks})
    assert "agreed by everyone on <!date^" in words and "in the message below" in words
    assert "Salaries" not in words and button_labels({"blocks": blocks}) == []


def test_suggested_changes_and_changes_in_force_say_so():
    counter = proposal_message(a_proposal(proposed_by="U2"), replaces=[a_proposal(version=1)])[0]
    assert "suggests changes" in counter
    change = proposal_message(a_proposal(), in_force_version=1)
    assert "proposes a change" in change[0] and "Version 1 stays in force" in texts({"blocks": change[1]})


@pytest.mark.parametrize("rules", [in_force(), in_force(**LONGEST)])
def test_the_confirmation_is_valid(rules):
    text, blocks = agreed_message(rules)
    assert problems("message", {"text": text, "blocks": blocks}) == []
    assert "Every month" in texts({"blocks": blocks}) or "&amp;" in texts({"blocks": blocks})


def test_short_replies():
    assert "already agreed" in agreement_reply(
        version=2, newly_agreed=False, in_force=False, waiting_for=["U2"]
    )
    assert "now your ground rules" in agreement_reply(
        version=2, newly_agreed=True, in_force=True, waiting_for=[]
    )
    assert "already" in proposal_sent_notice(a_proposal(), created=False)
    assert "sent to <@U2>" in proposal_sent_notice(a_proposal(), created=True)


PAIR_RULES = {
    "nothing yet": PairRules(7, "U1", ("U1", "U2"), None, None),
    "waiting for me": PairRules(7, "U2", ("U1", "U2"), None, a_proposal()),
    "my proposal": PairRules(7, "U1", ("U1", "U2"), in_force(), a_proposal()),
    "in force": PairRules(7, "U1", ("U1", "U2"), in_force(), None),
    "longest": PairRules(7, "U2", ("U1", "U2", "U3"), in_force(**LONGEST), a_proposal(**LONGEST)),
}


@pytest.mark.parametrize("name", PAIR_RULES)
def test_status_and_home_show_the_rules(name):
    status = ParticipantStatus(
        joined=True, profile=a_profile(), peer_ids=["U2"], ground_rules=PAIR_RULES[name]
    )
    text, blocks = status_message(status)
    assert problems("message", {"text": text, "blocks": blocks}) == []
    home = home_view(status, is_admin=True)
    assert problems("home", home) == []


def test_status_buttons_fit_the_viewer():
    def labels(name):
        status = ParticipantStatus(joined=True, profile=a_profile(), ground_rules=PAIR_RULES[name])
        return button_labels(home_view(status, is_admin=False))

    assert "Propose ground rules" in labels("nothing yet")
    assert {"Agree", "Suggest changes"} <= set(labels("waiting for me"))
    assert "Agree" not in labels("my proposal") and "Change our ground rules" in labels("my proposal")
    status = ParticipantStatus(joined=True, profile=a_profile(), ground_rules=PAIR_RULES["in force"])
    home = home_view(status, is_admin=False)
    [pair_button] = [
        e
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == PairAction.SET_GROUND_RULES
    ]
    assert pair_button["value"] == "7"
    assert "Our ground rules" in texts(home) and "Every month" in texts(home)
