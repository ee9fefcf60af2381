"""Managers' summaries, program admin and data rights end to end: signed requests in, what
reached the fake Slack out."""

from __future__ import annotations

import itertools
import json
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from bot.emulator import problems
from bot.emulator.driver import button_labels, texts
from bot.ids import AdminId, PrivacyAction, SettingsField
from bot.models import AuditLog, Pair, Profile, SummarySnapshot, SummarySubscription, Workspace
from bot.services import profiles
from bot.services.matching import run_round
from bot.services.program import program_settings
from tests.factories import make_profile
from tests.services.people import set_program

BOSS = "UBOSS"


def db(runtime):
    return runtime.deps.session_factory.begin()


def opt_in(runtime, clock, users, team="T1", **fields):
    with db(runtime) as session:
        for user in users:
            make_profile(session, user, team_id=team, now=clock(), **fields)


def name_manager(runtime, clock, user=BOSS):
    with db(runtime) as session:
        set_program(session, now=clock(), manager_ids=[user])


def settle(runtime):
    """Wait for the work the app does after its acks (no Slack call to wait on), then carry on."""
    runtime.deps.background.shutdown(wait=True)
    runtime.deps.background = ThreadPoolExecutor(max_workers=4)


def posted_to(fake, channel):
    return [c for c in fake.calls_to("chat.postMessage") if c.ok and c.args.get("channel") == channel]


def test_a_5000_member_channel_is_read_200_at_a_time(slack, runtime, clock, fake_slack):
    members = [f"U{i:05d}" for i in range(4999)] + ["UBOT"]
    fake_slack.add_user("T1", BOSS, name="boss")
    fake_slack.add_channel("T1", "C0BIG", name="everyone", members=members)
    opt_in(runtime, clock, members[:2000])
    name_manager(runtime, clock)

    reply = slack.command(BOSS, "summary", channel="C0BIG")
    assert reply.status == 200 and "Reading this channel's members" in reply.json["text"]
    [post] = fake_slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "C0BIG")

    pages = fake_slack.calls_to("conversations.members")
    assert len(pages) == 25 and all(p.ok for p in pages)
    assert [p.args.get("limit") for p in pages] == ["200"] * 25
    assert "cursor" not in pages[0].args
    for before, after in itertools.pairwise(pages):
        assert after.args["cursor"] == before.response["response_metadata"]["next_cursor"]
    assert pages[-1].response["response_metadata"]["next_cursor"] == ""

    message = {"text": post.args["text"], "blocks": post.args["blocks"]}
    assert problems("message", message) == []
    words = texts(message)
    assert "4999 people" in words and "2000 of 4999 (40%)" in words  # the app itself is not counted
    assert not any(user in words for user in members[:50])
    settle(runtime)
    with db(runtime) as session:
        snapshot = session.scalars(select(SummarySnapshot)).one()
        assert snapshot.status == "posted" and snapshot.counted_size == 4999


def test_a_user_group_summary_is_posted_where_it_was_asked(slack, runtime, clock, fake_slack):
    design = [f"UD{i:02d}" for i in range(12)]
    for user in design:
        fake_slack.add_user("T1", user, name=user.lower())
    fake_slack.add_usergroup("T1", "S0DESIGN", handle="design-team", users=design)
    opt_in(runtime, clock, design[:6])

    reply = slack.command("UADMIN", "summary <!subteam^S0DESIGN|@design-team>")
    assert reply.status == 200
    [post] = fake_slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "C0GENERAL")
    assert fake_slack.calls_to("usergroups.users.list")[0].args["usergroup"] == "S0DESIGN"
    assert not fake_slack.calls_to("conversations.members")
    words = texts({"blocks": post.args["blocks"]})
    assert "<!subteam^S0DESIGN>" in words and "12 people" in words and "6 of 12 (50%)" in words

    # Typed without Slack's escaping, the handle is looked up.
    reply = slack.command("UADMIN", "summary @design-team")
    fake_slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "C0GENERAL", count=2)
    assert fake_slack.calls_to("usergroups.list")

    # A handle that isn't there: the acknowledgement promised nothing, and the answer says why.
    reply = slack.command("UADMIN", "summary @nobody-here")
    assert "Looking up that user group… if I find it" in reply.json["text"]
    assert "Counting" not in reply.json["text"]
    [answer] = slack.responses(reply)
    assert "I couldn't find a user group called @nobody-here" in answer["text"]


def test_anyone_but_admins_and_managers_is_refused_politely(slack, runtime, clock, fake_slack):
    reply = slack.command("U1", "summary")
    assert reply.status == 200 and reply.json == {}  # who U1 is, Slack is asked after the ack
    [refusal] = slack.responses(reply)
    assert "program admins" in refusal["text"] and refusal.get("response_type") == "ephemeral"
    settle(runtime)
    assert posted_to(fake_slack, "C0GENERAL") == []
    assert fake_slack.calls_to("conversations.members") == []

    # Once named a manager, the same person may.
    name_manager(runtime, clock, "U1")
    slack.command("U1", "summary")
    [post] = fake_slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "C0GENERAL")
    assert "too small for figures" in texts({"blocks": post.args["blocks"]})  # 5 people


def test_a_channel_without_the_app_gets_an_invitation_to_invite_it(slack, fake_slack):
    fake_slack.add_channel("T1", "C0NOBOT", name="quiet", members=["U1", "U2", "UADMIN"])
    reply = slack.command("UADMIN", "summary", channel="C0NOBOT")
    [answer] = slack.responses(reply)
    assert "/invite @Peer Mentor" in answer["text"] and answer["response_type"] == "ephemeral"
    with_no_channel = slack.command("UADMIN", "summary", channel="D0DIRECT")
    assert "in your team's channel" in with_no_channel.json["text"]


def test_an_admin_changes_settings_and_the_audit_log_shows_it(slack, runtime, clock, fake_slack):
    reply = slack.command("UADMIN", "admin")
    assert reply.status == 200 and reply.json == {}
    modal = slack.modal_became(reply, AdminId.SETTINGS_MODAL)
    sent = [c.args["view"] for c in fake_slack.calls if c.method in ("views.open", "views.update")]
    assert [problems("modal", view) for view in sent] == [[] for _ in sent]
    ack = slack.submit(
        "UADMIN",
        modal,
        {
            SettingsField.PRIVACY_THRESHOLD: {AdminId.INPUT: "7"},
            SettingsField.MANAGERS: {AdminId.INPUT: ["U2"]},
            SettingsField.WEEKLY_CHANNELS: {AdminId.INPUT: ["C0GENERAL"]},
            SettingsField.NEXT_ROUND_DATE: {AdminId.INPUT: "2026-03-20"},
        },
    )
    assert ack.status == 200 and ack.json == {}
    home = slack.wait_home("UADMIN")
    [dm] = slack.dms("UADMIN")
    assert "Program settings saved" in texts(dm) and "privacy threshold" in texts(dm)
    with db(runtime) as session:
        program = program_settings(session=session, team_id="T1")
        assert program.privacy_threshold == 7 and program.manager_ids == {"U2"}
        fields = sorted(session.scalars(select(AuditLog.field)))
        assert fields == ["manager_ids", "next_round_at", "privacy_threshold", "summary_subscriptions"]
        assert {a.actor_id for a in session.scalars(select(AuditLog))} == {"UADMIN"}
        assert [s.channel_id for s in session.scalars(select(SummarySubscription))] == ["C0GENERAL"]

    assert problems("home", fake_slack.calls_to("views.publish")[-1].args["view"]) == []
    assert "Program admin" in texts(home) and "changed privacy threshold from 5 to 7" in texts(home)
    assert "Program settings" in button_labels(home)
    # The settings modal, opened from App Home, lists the changes too.
    click = slack.click("UADMIN", AdminId.OPEN_SETTINGS, view=home)
    again = slack.modal_opened(click)
    assert "Latest changes" in texts(again)

    # U1 is no admin: the command is refused, and so is a forged submission of the modal.
    refused = slack.command("U1", "admin")
    checking = slack.modal_opened(refused)  # Slack is asked who U1 is after the ack
    [update] = fake_slack.wait_for("views.update", lambda c: c.args.get("view_id") == checking["id"])
    assert "Only program admins" in texts(update.response["view"])
    forged = slack.submit("U1", again, {SettingsField.PRIVACY_THRESHOLD: {AdminId.INPUT: "3"}})
    assert forged.json["response_action"] == "update" and "Only program admins" in texts(forged.json["view"])
    with db(runtime) as session:
        assert program_settings(session=session, team_id="T1").privacy_threshold == 7
        assert session.scalar(select(func.count()).select_from(AuditLog)) == 4


def test_bad_settings_come_back_inline(slack, runtime):
    modal = slack.modal_became(slack.command("UADMIN", "admin"), AdminId.SETTINGS_MODAL)
    ack = slack.submit("UADMIN", modal, {SettingsField.WORK_START: {AdminId.INPUT: "18"}})
    assert ack.json["response_action"] == "errors" and list(ack.json["errors"]) == [SettingsField.WORK_END]
    with db(runtime) as session:
        assert session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_export_delivers_the_readable_summary_and_the_file(slack, runtime, clock, fake_slack):
    opt_in(runtime, clock, ["U1"], background="Taught <maths> & physics")
    reply = slack.command("U1", "export")
    assert "sending you everything" in texts(reply.json)
    [message] = slack.dms("U1")
    assert problems("message", message) == []
    assert "Taught &lt;maths&gt; &amp; physics" in texts(message)
    call = fake_slack.wait_for("files.completeUploadExternal")[0]
    [file] = fake_slack.files.values()
    assert file["name"] == "peer-mentor-my-data.json"
    assert file["channels"] == [fake_slack.dm_channel("T1", ["U1"])] == [call.args["channel_id"]]
    data = json.loads(file["content"])
    assert data["user_id"] == "U1" and data["profile"]["background"] == "Taught <maths> & physics"


def test_delete_my_data_asks_first_erases_and_tells_the_peer_kindly(slack, runtime, clock, fake_slack):
    opt_in(runtime, clock, ["U1", "U2"])
    with db(runtime) as session:
        run_round(session=session, team_id="T1", now=clock(), seed=1, forbid_same_team=False, odd_person="waitlist", trigger="admin")
    confirm = slack.command("U1", "delete-my-data")
    assert "Delete all your peer-mentoring data?" in texts(confirm.json)
    assert button_labels(confirm.json) == ["Yes, delete everything", "No, keep it"]

    cancel = slack.click("U1", PrivacyAction.DELETE_CANCELLED, message=confirm.json)
    assert "Nothing was deleted" in texts(slack.responses(cancel)[0])
    with db(runtime) as session:
        assert profiles.get_profile(session=session, team_id="T1", user_id="U1") is not None

    click = slack.click("U1", PrivacyAction.DELETE_CONFIRMED, message=confirm.json)
    [done] = slack.responses(click)
    assert done["replace_original"] is True and "erased" in done["text"]
    [kindly] = slack.dms("U2")
    assert "stepped away" in texts(kindly) and "<@U1>" not in texts(kindly)
    with db(runtime) as session:
        assert profiles.get_profile(session=session, team_id="T1", user_id="U1") is None
        assert session.scalars(select(Pair)).one().ended_at is not None


def test_export_and_delete_from_app_home(slack, runtime, clock, fake_slack):
    opt_in(runtime, clock, ["U3"])
    home = slack.open_home("U3")
    assert {"Export my data", "Delete my data"} <= set(button_labels(home))
    slack.click("U3", PrivacyAction.EXPORT, view=home)
    fake_slack.wait_for("files.completeUploadExternal")
    assert json.loads(next(iter(fake_slack.files.values()))["content"])["user_id"] == "U3"
    # Slack's own confirm dialog asked first; the click means "yes".
    slack.click("U3", PrivacyAction.DELETE, view=slack.wait_home("U3", count=2))
    after = slack.wait_home("U3", count=3)
    assert "erased" in texts(after) and "haven't joined" in texts(after)
    with db(runtime) as session:
        assert profiles.get_profile(session=session, team_id="T1", user_id="U3") is None


def test_status_says_what_managers_can_see(slack):
    words = texts(slack.command("U1", "status").json)
    assert "What managers can see about you" in words and "fewer than 5" in words


def test_app_uninstalled_wipes_only_that_workspace(slack, runtime, clock, fake_slack):
    opt_in(runtime, clock, ["U1", "U2"])
    opt_in(runtime, clock, ["U5", "U6"], team="T2")
    reply = slack.event("T1", {"type": "tokens_revoked", "tokens": {"oauth": ["U1"], "bot": []}})
    assert reply.status == 200
    settle(runtime)
    with db(runtime) as session:
        assert session.get(Workspace, "T1") is not None  # a person's own token: nothing to do

    reply = slack.event("T1", {"type": "app_uninstalled"})
    assert reply.status == 200
    settle(runtime)
    with db(runtime) as session:
        assert session.get(Workspace, "T1") is None
        assert session.scalar(select(func.count()).select_from(Profile).where(Profile.team_id == "T1")) == 0
        assert session.scalar(select(func.count()).select_from(Profile).where(Profile.team_id == "T2")) == 2

    reply = slack.event("T2", {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}})
    assert reply.status == 200
    settle(runtime)
    with db(runtime) as session:
        assert session.scalar(select(func.count()).select_from(Profile)) == 0
