"""Joining the program end to end: signed requests in, what the person sees out of the fake Slack."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.emulator import problems
from bot.emulator.driver import button_labels, texts
from bot.ids import Action, ProfileField
from bot.models import Profile

ANSWERS = {
    ProfileField.CAN_SHARE: {"value": ["public_speaking", "data_modelling"]},
    ProfileField.WANT_TO_GROW: {"value": ["negotiation"]},
    ProfileField.EXPERIENCE_LEVEL: {"value": "mid"},
    ProfileField.FUNCTION: {"value": "engineering"},
    ProfileField.TEAM_NAME: {"value": "Payments"},
    ProfileField.MEETING_WAYS: {"value": ["video"]},
    ProfileField.FREQUENCY: {"value": "weekly"},
    ProfileField.FEEDBACK_COMMITMENT: {"value": ["yes"]},
}


def profile_of(runtime, team, user):
    with runtime.deps.session_factory.begin() as session:
        row = session.scalar(select(Profile).where(Profile.team_id == team, Profile.user_id == user))
        if row is not None:
            session.expunge(row)
        return row


def join(slack, user, team="T1", answers=ANSWERS):
    reply = slack.command(user, "join", team=team)
    assert reply.status == 200
    modal = slack.modal_opened(reply)
    ack = slack.submit(user, modal, answers, team=team)
    assert ack.status == 200 and ack.json == {}
    return slack.dms(user, team=team)


def test_menu_for_a_newcomer_offers_join_and_help(slack):
    reply = slack.command("U1")
    assert reply.status == 200
    assert "haven't joined" in texts(reply.json)
    assert button_labels(reply.json) == ["Join the program", "Help"]
    assert problems("message", reply.json) == []


def test_join_edit_pause_resume_leave(slack, runtime, clock):
    # Join through the modal: the profile is stored with the time zone from Slack.
    dms = join(slack, "U1")
    assert "Welcome to peer mentoring" in texts(dms[-1]) and "What happens next" in texts(dms[-1])
    stored = profile_of(runtime, "T1", "U1")
    assert stored.can_share == ["Public speaking", "Data modelling"] and stored.tz == "Europe/London"

    # Edit: the modal opens pre-filled and saving changes the same profile.
    reply = slack.command("U1", "profile")
    modal = slack.modal_opened(reply)
    assert modal["title"]["text"] == "Edit your profile"
    ack = slack.submit("U1", modal, {ProfileField.TEAM_NAME: {"value": "Growth"}})
    assert ack.json == {}
    assert "profile is updated" in texts(slack.dms("U1", count=2)[-1])
    edited = profile_of(runtime, "T1", "U1")
    assert edited.team_name == "Growth" and edited.can_share == stored.can_share

    # Pause for three weeks, then see it in the menu.
    reply = slack.command("U1", "pause 3")
    assert "paused until" in texts(reply.json)
    assert profile_of(runtime, "T1", "U1").paused_until == clock() + timedelta(weeks=3)
    assert "Resume" in button_labels(slack.command("U1").json)

    # Resume from the menu's button: the ephemeral menu is replaced.
    menu = slack.command("U1").json
    click = slack.click("U1", Action.RESUME, message=menu)
    assert click.status == 200
    [answer] = slack.responses(click)
    assert answer["replace_original"] is True and "Welcome back" in texts(answer)
    assert profile_of(runtime, "T1", "U1").paused is False

    # Leave asks first; confirming deletes the profile.
    confirm = slack.command("U1", "leave")
    assert "Leave peer mentoring?" in texts(confirm.json)
    assert profile_of(runtime, "T1", "U1") is not None
    click = slack.click("U1", Action.LEAVE_CONFIRMED, message=confirm.json)
    assert "You've left" in texts(slack.responses(click)[0])
    assert profile_of(runtime, "T1", "U1") is None


def test_leave_can_be_cancelled(slack, runtime):
    join(slack, "U2")
    confirm = slack.command("U2", "leave")
    click = slack.click("U2", Action.LEAVE_CANCELLED, message=confirm.json)
    assert "nothing changed" in texts(slack.responses(click)[0])
    assert profile_of(runtime, "T1", "U2") is not None


def test_bad_submission_comes_back_inline_and_stores_nothing(slack, runtime):
    reply = slack.command("U1", "join")
    modal = slack.modal_opened(reply)
    bad = {
        **ANSWERS,
        ProfileField.TEAM_NAME: {"value": "x" * 200},
        ProfileField.FEEDBACK_COMMITMENT: {"value": []},
    }
    ack = slack.submit("U1", modal, bad)
    assert ack.status == 200
    assert ack.json["response_action"] == "errors"
    assert set(ack.json["errors"]) == {ProfileField.TEAM_NAME, ProfileField.FEEDBACK_COMMITMENT}
    assert profile_of(runtime, "T1", "U1") is None
    # The modal is still open for the person to fix.
    assert slack.fake.open_modal_stack("T1", "U1")[-1]["id"] == modal["id"]
    ack = slack.submit("U1", modal, ANSWERS)
    assert ack.json == {}
    assert profile_of(runtime, "T1", "U1") is not None


def test_pause_from_app_home_with_the_pause_modal(slack, runtime):
    join(slack, "U3")
    home = slack.open_home("U3")
    assert "Pause" in button_labels(home)
    click = slack.click("U3", Action.PAUSE, view=home)
    modal = slack.modal_opened(click)
    ack = slack.submit("U3", modal, {"pause_length": {"pause_length": "until_resumed"}})
    assert ack.json == {}
    [call] = slack.fake.wait_for(
        "views.publish", lambda c: c.args["user_id"] == "U3" and "until you resume" in str(c.args["view"])
    )
    home = call.response["view"]
    assert "Resume" in button_labels(home)
    stored = profile_of(runtime, "T1", "U3")
    assert stored.paused is True and stored.paused_until is None


def test_app_home_shows_status_and_admin_section(slack):
    home = slack.open_home("U1")
    assert "haven't joined" in texts(home)
    assert "Program admin" not in texts(home)
    admin_home = slack.open_home("UADMIN")
    assert "Program admin" in texts(admin_home)


def test_help_and_unknown_words(slack):
    reply = slack.command("U1", "help")
    body = texts(reply.json)
    for word in ("join", "profile", "status", "pause", "resume", "leave"):
        assert f"/peer-mentor {word}" in body
    unknown = slack.command("U1", "jion")
    assert unknown.status == 200
    assert "Did you mean `/peer-mentor join`?" in texts(unknown.json)
    # Bolt on its own reads any command containing the word "payload" as an empty request.
    odd = slack.command("U1", "payload please")
    assert odd.status == 200
    assert "/peer-mentor join" in texts(odd.json)


def test_commands_that_need_a_profile_say_so_kindly(slack, runtime):
    for text in ("pause", "resume", "leave"):
        reply = slack.command("U4", text)
        assert reply.status == 200
        assert "haven't joined" in texts(reply.json)
    assert profile_of(runtime, "T1", "U4") is None


def test_bad_pause_length_is_explained(slack):
    join(slack, "U1")
    reply = slack.command("U1", "pause forever")
    assert "/peer-mentor pause 3" in texts(reply.json)
    assert slack.command("U1", "pause 99").json["text"].startswith("A pause can last")


def test_two_workspaces_never_share_data(slack, runtime):
    join(slack, "U1", team="T1")
    join(slack, "U5", team="T2", answers={**ANSWERS, ProfileField.TEAM_NAME: {"value": "Elsewhere"}})
    assert profile_of(runtime, "T2", "U5").tz == "America/New_York"
    # Someone in T2 can't act on T1's data by naming T1's user id in T2's requests.
    assert profile_of(runtime, "T2", "U1") is None
    assert "haven't joined" in texts(slack.command("U1", team="T2").json)
    assert profile_of(runtime, "T1", "U1").team_name == "Payments"
    confirm = slack.command("U5", "leave", team="T2")
    click = slack.click("U5", Action.LEAVE_CONFIRMED, message=confirm.json, team="T2")
    assert click.status == 200
    slack.responses(click)
    assert profile_of(runtime, "T2", "U5") is None
    assert profile_of(runtime, "T1", "U1") is not None
    assert "You're in the program" in texts(slack.command("U1", team="T1").json)


def test_joining_from_app_home_refreshes_it(slack):
    home = slack.open_home("U4")
    click = slack.click("U4", Action.JOIN, view=home)
    modal = slack.modal_opened(click)
    assert slack.submit("U4", modal, ANSWERS).json == {}
    slack.fake.wait_for(
        "views.publish",
        lambda c: c.args["user_id"] == "U4" and "You're in the program" in str(c.args["view"]),
    )


def test_resuming_says_what_comes_back_paired_or_not(slack, runtime, clock):
    from tests.pair_factories import make_pair

    # Not paired: back in the pool, with when the next round is (or who runs it).
    join(slack, "U3")
    slack.command("U3", "pause")
    words = texts(slack.command("U3", "resume").json)
    assert "Welcome back! You're back in the pool" in words and "check-ins" not in words

    # Paired: the pair's check-ins come back, not a matching round.
    with runtime.deps.session_factory.begin() as session:
        make_pair(session, ("U1", "U2"), agreed_at=clock())
    assert "paused until" in texts(slack.command("U1", "pause 2").json)
    words = texts(slack.command("U1", "resume").json)
    assert "Welcome back! Your check-ins with <@U2> start again." in words
    assert "The next one reaches you on <!date^" in words
    assert "matching round" not in words and "pool" not in words
