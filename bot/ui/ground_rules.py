"""Ground rules on screen: the proposal modal, the proposal and confirmation messages, and
the rules in force / pending proposal as shown by `status` and App Home."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ConfirmObject,
    InputBlock,
    MarkdownTextObject,
    Option,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.ids import PairAction, RulesAction, RulesCallback, RulesField
from bot.services import ground_rules as rules_service
from bot.services import options
from bot.services.ground_rules import Draft, PairRules, Proposal, RulesAnswers, RulesInForce
from bot.ui.kit import (
    Blocks,
    FormState,
    actions,
    button,
    context,
    escape,
    mention,
    record_id,
    section,
    slack_date,
    text_input,
    to_dicts,
)

TICKED = "yes"
CONFIDENTIAL = "What we discuss stays between us"


# --- the proposal modal -------------------------------------------------------------------


def proposal_modal(draft: Draft) -> dict:
    """Propose (or, from someone else's proposal, suggest changes to) the pair's rules."""
    peers = _people(draft.peer_ids)
    if draft.is_counter:
        title, intro = (
            "Suggest changes",
            f"Change what you'd like and send it back to {peers}. Nothing changes until everyone agrees.",
        )
    elif draft.in_force_version is not None:
        title, intro = (
            "Change ground rules",
            f"Version {draft.in_force_version} of your ground rules is in force and stays so until "
            f"{peers} {'agrees' if len(draft.peer_ids) == 1 else 'agree'} to the change.",
        )
    else:
        title, intro = (
            "Our ground rules",
            f"Propose how you and {peers} will work together. "
            f"{_they(draft.peer_ids)} asked to agree or suggest changes.",
        )
    ticked = draft.based_on is not None
    blocks: list[Block] = [section(intro)]
    if draft.preferred_frequencies:
        said = ", ".join(
            f"{mention(user)} {options.label_of(options.FREQUENCIES, freq).lower()}"
            for user, freq in draft.preferred_frequencies.items()
        )
        blocks.append(context(f"Your profiles differ on how often to meet: {said}."))
    blocks += [
        InputBlock(
            block_id=RulesField.FREQUENCY,
            label="How often we meet",
            element=RadioButtonsElement(
                action_id=RulesAction.INPUT,
                options=_options(options.FREQUENCIES),
                initial_option=next(
                    (o for o in _options(options.FREQUENCIES) if o.value == draft.frequency), None
                ),
            ),
        ),
        InputBlock(
            block_id=RulesField.MEETING_WAYS,
            label="How we meet",
            hint="Pick one or more.",
            element=CheckboxesElement(
                action_id=RulesAction.INPUT,
                options=_options(options.MEETING_WAYS),
                initial_options=[o for o in _options(options.MEETING_WAYS) if o.value in draft.meeting_ways]
                or None,
            ),
        ),
        _tick_box(RulesField.CONFIDENTIAL, "Confidentiality", CONFIDENTIAL, ticked),
        _text_input(
            RulesField.CONFIDENTIALITY_EXCEPTIONS,
            "Exceptions to confidentiality",
            draft.confidentiality_exceptions,
            "e.g. unless someone's safety is at risk",
            rules_service.MAX_EXCEPTIONS,
            hint="In your own words: anything that may be shared, and with whom.",
        ),
        _text_input(
            RulesField.OFF_LIMITS,
            "Off-limits topics",
            draft.off_limits,
            "e.g. pay, my manager",
            rules_service.MAX_OFF_LIMITS,
            hint="Only your pair sees these. Check-in prompts will steer clear of them.",
        ),
    ]
    if draft.peer_goals:
        blocks.append(_goals_section(draft.peer_goals, label="What {who} wants from this pairing"))
    blocks += [
        _text_input(
            RulesField.MY_GOAL,
            "What I want from this pairing",
            draft.my_goal,
            "e.g. get better at saying no to stakeholders",
            rules_service.MAX_GOAL,
            optional=False,
            multiline=False,
            hint="A line in your own words. Everyone writes their own.",
        ),
        _tick_box(
            RulesField.FEEDBACK_COMMITMENT,
            "Feedback",
            "I'll give and receive candid, kind feedback",
            ticked,
        ),
        _tick_box(
            RulesField.RESPECT_COMMITMENT,
            "Respect",
            "I'll respect my peer's expertise and experience"
            if len(draft.peer_ids) == 1
            else "I'll respect my peers' expertise and experience",
            ticked,
        ),
    ]
    metadata = {"pair": draft.pair_id, "based_on": draft.based_on}
    return View(
        type="modal",
        callback_id=RulesCallback.PROPOSAL_MODAL,
        title=title,
        submit="Send to my peer" if len(draft.peer_ids) == 1 else "Send to my peers",
        close="Cancel",
        private_metadata=json.dumps(metadata, separators=(",", ":")),
        blocks=blocks,
    ).to_dict()


def read_modal_metadata(private_metadata: str) -> tuple[int, int | None] | None:
    """(pair id, the version the form was copied from)."""
    try:
        data = json.loads(private_metadata or "")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    pair_id, based_on = data.get("pair"), data.get("based_on")
    if not isinstance(pair_id, int) or not (based_on is None or isinstance(based_on, int)):
        return None
    return pair_id, based_on


def read_rules_answers(state_values: dict[str, Any]) -> RulesAnswers:
    """Turn Slack's `view.state.values` into answers. Missing or odd shapes read as empty."""
    form = FormState(state_values, RulesAction.INPUT)
    return RulesAnswers(
        frequency=form.one(RulesField.FREQUENCY),
        meeting_ways=form.many(RulesField.MEETING_WAYS),
        confidential=TICKED in form.many(RulesField.CONFIDENTIAL),
        confidentiality_exceptions=form.text(RulesField.CONFIDENTIALITY_EXCEPTIONS),
        off_limits=form.text(RulesField.OFF_LIMITS),
        my_goal=form.text(RulesField.MY_GOAL),
        feedback_commitment=TICKED in form.many(RulesField.FEEDBACK_COMMITMENT),
        respect_commitment=TICKED in form.many(RulesField.RESPECT_COMMITMENT),
    )


# --- button values --------------------------------------------------------------------------


def proposal_ref(pair_id: int, version: int) -> str:
    return f"{pair_id}:{version}"


def read_proposal_ref(value: str | None) -> tuple[int, int] | None:
    pair, _, version = (value or "").partition(":")
    pair_id, version_number = record_id(pair), record_id(version)
    if pair_id is None or version_number is None:
        return None
    return pair_id, version_number


def read_pair_ref(value: str | None) -> int | None:
    return record_id(value)


# --- messages to the pair -------------------------------------------------------------------


def proposal_message(
    proposal: Proposal,
    *,
    in_force_version: int | None = None,
    replaces: Sequence[Proposal] = (),
    crossed: bool = False,
    replaced_by: int | None = None,
) -> tuple[str, Blocks]:
    """The proposal in the pair's conversation, in its current state.

    Pending: the rules, who agreed so far, and Agree / Suggest changes. Agreed or replaced:
    the buttons are gone, so nobody can answer it twice.
    """
    who = mention(proposal.proposed_by)
    if proposal.status == rules_service.SUPERSEDED and proposal.agreed_at is None:
        newer = f"version {replaced_by}" if replaced_by else "a newer proposal"
        text = f"{who}'s proposal (version {proposal.version}) was replaced by {newer}."
        return text, to_dicts([section(f":arrows_counterclockwise: {text}")])
    if proposal.status != rules_service.PENDING:
        # The rules themselves are in the "You've agreed" message posted below this one; said
        # twice in one conversation, people wonder which copy counts.
        text = f"Ground rules agreed (version {proposal.version})."
        when = f" on {slack_date(proposal.agreed_at)}" if proposal.agreed_at else ""
        return text, to_dicts(
            [
                section(
                    f":white_check_mark: *{text}* Proposed by {who}, agreed by everyone{when}. "
                    "The rules in force are in the message below."
                )
            ]
        )

    if replaces and any(r.proposed_by != proposal.proposed_by for r in replaces):
        verb = "suggests changes to the ground rules"
    elif in_force_version is not None:
        verb = "proposes a change to your ground rules"
    else:
        verb = "proposes ground rules for your pairing"
    text = f"{who} {verb} (version {proposal.version})."
    blocks = [section(f":memo: *{who} {verb}* (version {proposal.version})"), *_rules_blocks(proposal)]
    status = f"Agreed: {_people(proposal.agreed_by)}. Waiting for {_people(proposal.waiting_for)}."
    notes = [status]
    if in_force_version is not None:
        notes.append(f"Version {in_force_version} stays in force until everyone agrees to this one.")
    if crossed:
        earlier = ", ".join(f"version {r.version}" for r in replaces)
        notes.append(f"This replaces {earlier}, which crossed with it.")
    missing = [user for user in proposal.waiting_for if not proposal.member_goals.get(user)]
    if missing:
        notes.append(
            f"{_people(missing)} {'hasn’t' if len(missing) == 1 else 'haven’t'} said yet what they "
            "want from this pairing: choose *Suggest changes* to add it."
        )
    blocks.append(context(*notes))
    ref = proposal_ref(proposal.pair_id, proposal.version)
    # Agreeing with "not said yet" still on the proposal is allowed, but asked about first.
    confirm = (
        ConfirmObject(
            title="Agree with a goal missing?",
            text="Someone's goal is still “not said yet” on this proposal. If it's yours, go back "
            "and choose Suggest changes to add it; or agree to the rules as they are.",
            confirm="Agree as it is",
            deny="Go back",
        )
        if missing
        else None
    )
    blocks.append(
        actions(
            button("Agree", RulesAction.AGREE, value=ref, style="primary", confirm=confirm),
            button("Suggest changes", RulesAction.SUGGEST_CHANGES, value=ref),
        )
    )
    return text, to_dicts(blocks)


def agreed_message(rules: RulesInForce) -> tuple[str, Blocks]:
    """The confirmation everyone in the pair gets once the last person agreed."""
    frequency = options.label_of(options.FREQUENCIES, rules.frequency).lower()
    text = "You've agreed your ground rules."
    blocks: list[Block] = [
        section(f":tada: *{text}* These are your rules from now on (version {rules.version}):"),
        *_rules_blocks(rules),
        context(
            f"Check-ins will follow your rhythm: {frequency}. To change anything, type "
            "`/peer-mentor rules`; a change needs everyone's agreement again."
        ),
    ]
    return text, to_dicts(blocks)


def agreement_reply(*, version: int, newly_agreed: bool, in_force: bool, waiting_for: Sequence[str]) -> str:
    """What the person who clicked Agree is told (ephemeral, or as an App Home notice)."""
    if in_force and not newly_agreed:
        return f"Version {version} of your ground rules is already agreed by everyone; nothing changed."
    if in_force:
        return f"Thank you! Everyone has agreed, so version {version} is now your ground rules."
    if not newly_agreed:
        return f"You've already agreed to version {version}. Still waiting for {_people(waiting_for)}."
    return f"Thank you for agreeing to version {version}. Waiting for {_people(waiting_for)}."


def proposal_not_delivered(proposal: Proposal) -> str:
    return (
        f"Your proposal (version {proposal.version}) is saved, but Slack was too busy to show it to "
        f"{_people(proposal.waiting_for)}. In a minute, open the ground rules again "
        "(`/peer-mentor rules`) and send it unchanged: it goes to them then."
    )


def proposal_sent_notice(proposal: Proposal, *, created: bool) -> str:
    if not created:
        return f"You had already sent this proposal (version {proposal.version}); nothing changed."
    return f"Your proposal (version {proposal.version}) was sent to {_people(proposal.waiting_for)}."


# --- status and App Home --------------------------------------------------------------------


def pair_rules_blocks(rules: PairRules) -> list[Block]:
    """Rules in force and any pending proposal, with the buttons that fit the viewer."""
    blocks: list[Block] = []
    if rules.in_force is not None:
        agreed = rules.in_force
        blocks.append(
            section(f"*Our ground rules* (version {agreed.version}, agreed {slack_date(agreed.agreed_at)})")
        )
        blocks += _rules_blocks(agreed)
    elif rules.pending is None:
        blocks.append(
            section(
                f"*Our ground rules:* not agreed yet. Propose them to {_people(rules.peer_ids)}: how often "
                "and how you meet, what stays between you, and what's off limits."
            )
        )
    pending = rules.pending
    buttons = []
    if pending is not None:
        waiting = f"waiting for {_people(pending.waiting_for)}"
        blocks.append(
            section(f"*Proposed by {mention(pending.proposed_by)}* (version {pending.version}, {waiting})")
        )
        blocks += _rules_blocks(pending)
        if rules.viewer_id in pending.waiting_for:
            ref = proposal_ref(pending.pair_id, pending.version)
            buttons += [
                button("Agree", RulesAction.AGREE, value=ref, style="primary"),
                button("Suggest changes", RulesAction.SUGGEST_CHANGES, value=ref),
            ]
    if not buttons:
        label = (
            "Propose ground rules"
            if rules.in_force is None and pending is None
            else "Change our ground rules"
        )
        buttons.append(button(label, PairAction.SET_GROUND_RULES, value=str(rules.pair_id)))
    blocks.append(actions(*buttons))
    return blocks


# --- shared pieces --------------------------------------------------------------------------


def _rules_blocks(rules: Proposal | RulesInForce) -> list[Block]:
    """The rules themselves. People's words are escaped and each long text gets its own
    section, so even the longest answers stay within Slack's 3,000 characters per text."""
    frequency = options.label_of(options.FREQUENCIES, rules.frequency)
    ways = ", ".join(options.label_of(options.MEETING_WAYS, w) for w in rules.meeting_ways)
    everyone = "We both" if len(rules.member_ids) <= 2 else "We all"
    blocks: list[Block] = [
        section(
            f"*How often:* {frequency}\n*How:* {ways}\n"
            f"*{everyone} commit to* give and receive candid feedback, and respect each other's experience."
        )
    ]
    confidentiality = f"*Confidentiality:* {CONFIDENTIAL}."
    if rules.confidentiality_exceptions:
        confidentiality += f"\n*Exceptions:* {escape(rules.confidentiality_exceptions)}"
    blocks.append(section(confidentiality))
    off_limits = escape(rules.off_limits) if rules.off_limits else "_none named_"
    blocks.append(section(f"*Off limits:* {off_limits}"))
    blocks.append(_goals_section(rules.member_goals, label="What {who} wants"))
    return blocks


def _goals_section(goals: Mapping[str, str], *, label: str) -> SectionBlock:
    fields = [
        MarkdownTextObject(
            text=f"*{label.format(who=mention(user))}:*\n{escape(goal) if goal else '_not said yet_'}"
        )
        for user, goal in goals.items()
    ]
    return SectionBlock(fields=fields[:10])


def _people(user_ids: Sequence[str]) -> str:
    names = [mention(u) for u in user_ids]
    if not names:
        return "nobody"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _they(peer_ids: Sequence[str]) -> str:
    return f"{mention(peer_ids[0])} will be" if len(peer_ids) == 1 else "Each of them will be"


def _options(choices: tuple[options.Choice, ...]) -> list[Option]:
    return [Option(value=c.value, label=c.label) for c in choices]


def _tick_box(block_id: str, label: str, text: str, ticked: bool) -> InputBlock:
    option = Option(value=TICKED, label=text)
    return InputBlock(
        block_id=block_id,
        label=label,
        element=CheckboxesElement(
            action_id=RulesAction.INPUT, options=[option], initial_options=[option] if ticked else None
        ),
    )


# The rules form's text boxes: one action id, several lines each unless told otherwise.
_text_input = partial(text_input, action_id=RulesAction.INPUT, multiline=True)
