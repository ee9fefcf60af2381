"""A matching round end to end: an admin previews and confirms, the worker introduces each pair."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from bot.emulator.driver import button_labels, texts
from bot.ids import MatchAction, PairAction, ProfileField
from bot.models import MatchRound, Pair
from bot.services import ground_rules
from bot.services.matching.pairs import current_pair
from bot.worker import tick
from tests.app.conftest import ADMIN
from tests.app.test_onboarding import ANSWERS, join

PROFILES = {
    "U1": {
        ProfileField.CAN_SHARE: {"value": ["public_speaking"]},
        ProfileField.WANT_TO_GROW: {"value": ["data_modelling"]},
        ProfileField.TEAM_NAME: {"value": "Payments"},
    },
    "U2": {
        ProfileField.CAN_SHARE: {"value": ["data_modelling"]},
        ProfileField.WANT_TO_GROW: {"value": ["public_speaking"]},
        ProfileField.TEAM_NAME: {"value": "Growth"},
    },
    "U3": {
        ProfileField.CAN_SHARE: {"value": ["negotiation"]},
        ProfileField.WANT_TO_GROW: {"value": ["system_design"]},
        ProfileField.TEAM_NAME: {"value": "Sales ops"},
    },
    "U4": {
        ProfileField.CAN_SHARE: {"value": ["system_design"]},
        ProfileField.WANT_TO_GROW: {"value": ["negotiation"]},
        ProfileField.TEAM_NAME: {"value": "Platform"},
    },
}


def everyone_joins(slack):
    for user, answers in PROFILES.items():
        join(slack, user, answers={**ANSWERS, **answers})


def run_match(slack):
    reply = slack.command(ADMIN, "match")
    assert reply.status == 200
    slack.fake.wait_for("views.update", lambda c: "Match them" in str(c.args["view"]))
    [preview] = slack.fake.open_modal_stack("T1", ADMIN)
    assert "4* people are ready" in texts(preview) and "2 pairs" in texts(preview)
    assert "Left over:* nobody" in texts(preview)
    ack = slack.submit(ADMIN, preview, {})
    assert ack.status == 200 and ack.json["response_action"] == "update"
    slack.fake.wait_for("views.update", lambda c: "Done: 2 pairs matched" in str(c.args["view"]))


def test_admin_runs_a_round_and_every_pair_gets_one_intro(slack, runtime, clock):
    everyone_joins(slack)
    run_match(slack)
    with runtime.deps.session_factory.begin() as session:
        pairs = {frozenset(m.user_id for m in p.members) for p in session.scalars(select(Pair))}
    # Reciprocity and different teams decide: each pair can teach each other.
    assert pairs == {frozenset({"U1", "U2"}), frozenset({"U3", "U4"})}

    sent = tick(runtime.deps.settings, runtime.engine, clock())
    assert sent >= 2
    for pair in pairs:
        channel = slack.fake.dm_channel("T1", sorted(pair))
        assert channel is not None, f"no group DM for {sorted(pair)}"
        [intro] = slack.fake.messages(channel, team_id="T1")
        body = texts(intro)
        assert "Why you were matched" in body
        for user in pair:
            assert f"<@{user}>" in body
        assert "Set our ground rules" in button_labels(intro)
    # Exactly one intro per pair, and nothing more on a second tick.
    tick(runtime.deps.settings, runtime.engine, clock())
    intro_posts = [
        c for c in slack.fake.calls_to("chat.postMessage") if c.ok and "Why you were matched" in str(c.args)
    ]
    assert len(intro_posts) == 2

    # Status now names the peer.
    assert "paired with <@U2>" in texts(slack.command("U1").json)


def test_a_non_admin_is_refused_politely(slack, runtime):
    # Slack is asked who U1 is after the ack: the modal opens saying so, then refuses.
    reply = slack.command("U1", "match")
    assert reply.status == 200 and reply.json == {}
    opened = slack.modal_opened(reply)
    [update] = slack.fake.wait_for("views.update", lambda c: c.args.get("view_id") == opened["id"])
    assert "Only program admins" in texts(update.response["view"])
    # Known now: the next time the refusal is the answer itself, with no modal.
    again = slack.command("U1", "match")
    assert "Only program admins" in again.json["text"]
    assert len(slack.fake.calls_to("views.open")) == 1
    with runtime.deps.session_factory.begin() as session:
        assert session.scalar(select(func.count()).select_from(MatchRound)) == 0


def test_rematch_ends_the_pair_kindly_and_never_repeats(slack, runtime, clock):
    everyone_joins(slack)
    run_match(slack)
    tick(runtime.deps.settings, runtime.engine, clock())
    confirm = slack.command("U1", "rematch")
    assert "End your pairing" in texts(confirm.json)
    click = slack.click("U1", MatchAction.REMATCH_CONFIRMED, message=confirm.json)
    assert "has ended" in texts(slack.responses(click)[0])
    assert "You'll be paired in the next matching round" in texts(slack.command("U1").json)
    # The peer is told kindly by the worker, with the true reason: not a quiet spell a day in.
    tick(runtime.deps.settings, runtime.engine, clock())
    [ended] = [texts(m) for m in slack.dms("U2") if "has ended" in texts(m)]
    assert "<@U1> asked for a new peer" in ended and "quiet" not in ended
    assert "back in the pool" in ended
    # A new round never pairs U1 and U2 again; with the other pair still active, nobody is matched.
    slack.command(ADMIN, "match")
    slack.fake.wait_for("views.update", lambda c: "no new pair is possible" in str(c.args["view"]))


def test_leaving_ends_the_pair(slack, runtime, clock):
    everyone_joins(slack)
    run_match(slack)
    confirm = slack.command("U3", "leave")
    click = slack.click("U3", "leave_confirmed", message=confirm.json)
    slack.responses(click)
    with runtime.deps.session_factory.begin() as session:
        ended = [p for p in session.scalars(select(Pair)) if {m.user_id for m in p.members} == {"U3", "U4"}]
        assert ended[0].ended_at is not None and ended[0].end_reason == "left"
    assert "You'll be paired in the next matching round" in texts(slack.command("U4").json)
    tick(runtime.deps.settings, runtime.engine, clock())
    [told] = [texts(m) for m in slack.dms("U4") if "has ended" in texts(m)]
    assert "<@U3> has left the peer-mentoring program" in told and "quiet" not in told


def test_ground_rules_button_sits_in_the_intro(slack, runtime, clock):
    everyone_joins(slack)
    run_match(slack)
    tick(runtime.deps.settings, runtime.engine, clock())
    channel = slack.fake.dm_channel("T1", ["U1", "U2"])
    [intro] = slack.fake.messages(channel, team_id="T1")
    click = slack.click("U1", PairAction.SET_GROUND_RULES, message=intro, channel=channel, ephemeral=False)
    modal = slack.modal_opened(click)
    assert modal["title"]["text"]


def test_a_deactivated_account_ends_the_pair_and_the_peer_is_told(slack, runtime, clock):
    everyone_joins(slack)
    run_match(slack)
    tick(runtime.deps.settings, runtime.engine, clock())
    reply = slack.event("T1", {"type": "user_change", "user": {"id": "U2", "team_id": "T1", "deleted": True}})
    assert reply.status == 200
    assert "You'll be paired in the next matching round" in texts(slack.command("U1").json)
    tick(runtime.deps.settings, runtime.engine, clock())
    assert any("can no longer reach" in texts(m) for m in slack.dms("U1"))
    # Nothing more goes to the deactivated person.
    before = len([c for c in slack.fake.calls_to("chat.postMessage") if c.args.get("channel") == "U2"])
    tick(runtime.deps.settings, runtime.engine, clock())
    assert (
        len([c for c in slack.fake.calls_to("chat.postMessage") if c.args.get("channel") == "U2"]) == before
    )


def test_status_shows_the_next_check_in_once_rules_are_agreed(slack, runtime, clock):
    everyone_joins(slack)
    run_match(slack)
    assert "Next check-in" not in texts(slack.command("U1", "status").json)
    answers = ground_rules.RulesAnswers(
        frequency="weekly",
        meeting_ways=["video"],
        confidential=True,
        confidentiality_exceptions="",
        off_limits="",
        my_goal="Get better at speaking",
        feedback_commitment=True,
        respect_commitment=True,
    )
    with runtime.deps.session_factory.begin() as session:
        pair = current_pair(session=session, team_id="T1", user_id="U1")
        proposed = ground_rules.propose(
            session=session,
            team_id="T1",
            pair_id=pair.pair_id,
            user_id="U1",
            rules=ground_rules.validate_rules(answers),
            based_on=None,
            now=clock(),
        )
        ground_rules.agree(
            session=session,
            team_id="T1",
            pair_id=pair.pair_id,
            user_id="U2",
            version=proposed.proposal.version,
            now=clock(),
        )
    status = texts(slack.command("U1", "status").json)
    assert "Next check-in" in status
    assert "Next check-in" in texts(slack.open_home("U1"))


def test_app_home_offers_feedback_and_a_no_fault_end_to_the_pairing(slack, runtime, clock):
    everyone_joins(slack)
    run_match(slack)
    home = slack.open_home("U1")
    labels = button_labels(home)
    assert "End our pairing" in labels
    assert any("feedback" in label.lower() for label in labels)
    [feedback] = [label for label in labels if "feedback" in label.lower()]
    click = slack.click("U1", "give_feedback", view=home)
    assert slack.modal_opened(click)["callback_id"] == "feedback_modal"
    click = slack.click("U1", MatchAction.REMATCH_CONFIRMED, view=slack.open_home("U1"))
    assert click.status == 200
    [call] = slack.fake.wait_for("views.publish", lambda c: c.args["user_id"] == "U1" and "has ended" in str(c.args))
    home = call.response["view"]
    assert "End our pairing" not in button_labels(home)
    assert feedback


def _preview(slack):
    slack.command(ADMIN, "match")
    slack.fake.wait_for("views.update", lambda c: "Match them" in str(c.args["view"]))
    [preview] = slack.fake.open_modal_stack("T1", ADMIN)
    return preview


def _rounds(runtime) -> list[MatchRound]:
    with runtime.deps.session_factory.begin() as session:
        return list(session.scalars(select(MatchRound)))


def test_a_preview_confirmed_twice_makes_one_round_and_says_so(slack, runtime, clock):
    everyone_joins(slack)
    preview = _preview(slack)
    assert slack.submit(ADMIN, preview, {}).status == 200
    slack.fake.wait_for("views.update", lambda c: "Done: 2 pairs matched" in str(c.args["view"]))
    clock.advance(timedelta(minutes=2))
    again = slack.submit(ADMIN, preview, {})  # the same preview, pressed again
    assert again.status == 200
    [said] = slack.fake.wait_for("views.update", lambda c: "already confirmed" in str(c.args["view"]))
    assert "2 pairs matched" in texts(said.args["view"]) and "Nothing was matched twice" in texts(said.args["view"])
    assert len(_rounds(runtime)) == 1
    tick(runtime.deps.settings, runtime.engine, clock())
    intros = [c for c in slack.fake.calls_to("chat.postMessage") if c.ok and "Why you were matched" in str(c.args)]
    assert len(intros) == 2


def test_two_confirmations_of_one_preview_at_the_same_instant_make_one_round(slack, runtime):
    everyone_joins(slack)
    preview = _preview(slack)
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda _: slack.submit(ADMIN, preview, {}), range(2)))
    assert [a.status for a in answers] == [200, 200]
    slack.fake.wait_for("views.update", lambda c: "Done: 2 pairs matched" in str(c.args["view"]))
    slack.fake.wait_for("views.update", lambda c: "already confirmed" in str(c.args["view"]))
    [match_round] = _rounds(runtime)
    assert match_round.pair_count == 2
    with runtime.deps.session_factory.begin() as session:
        assert len(session.scalars(select(Pair)).all()) == 2
