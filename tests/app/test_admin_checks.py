"""Admin checks never hold up the acknowledgement, and a slow or failing Slack never makes a
real admin look like anyone else."""

from __future__ import annotations

from bot.emulator.driver import texts
from bot.ids import AdminId
from tests.app.conftest import ADMIN


def _methods(fake) -> list[str]:
    return [c.method for c in fake.calls if c.method in ("users.info", "views.open", "views.update")]


def test_a_rate_limited_users_info_still_opens_the_settings_for_an_admin(slack, fake_slack):
    fake_slack.fail_next("users.info", status=429, retry_after=1)
    reply = slack.command(ADMIN, "admin")
    assert reply.status == 200 and reply.json == {}
    settings = slack.modal_became(reply, AdminId.SETTINGS_MODAL)
    assert "Matching rounds" in texts(settings)
    # The modal opened on the trigger before Slack was asked, so the trigger could not expire.
    assert _methods(fake_slack)[:3] == ["views.open", "users.info", "users.info"]
    assert [c.ok for c in fake_slack.calls_to("views.open")] == [True]


def test_when_slack_cannot_say_who_is_admin_the_admin_is_told_so_not_refused(slack, fake_slack):
    fake_slack.fail_next("users.info", error="internal_error", times=3)
    reply = slack.command(ADMIN, "match")
    opened = slack.modal_opened(reply)
    [update] = fake_slack.wait_for("views.update", lambda c: c.args.get("view_id") == opened["id"])
    shown = texts(update.response["view"])
    assert "couldn't check with Slack" in shown and "Only program admins" not in shown


def test_an_admin_known_already_gets_the_settings_at_once_without_asking_slack_again(slack, fake_slack):
    slack.command(ADMIN, "status")  # anything that looks them up first
    first = slack.modal_became(slack.command(ADMIN, "admin"), AdminId.SETTINGS_MODAL)
    calls_before = len(fake_slack.calls_to("users.info"))
    reply = slack.command(ADMIN, "admin")
    again = slack.modal_opened(reply)
    assert again["callback_id"] == AdminId.SETTINGS_MODAL == first["callback_id"]
    assert len(fake_slack.calls_to("users.info")) == calls_before
    # Its submission trusts the check the modal carries: saved with no call to Slack first.
    ack = slack.submit(ADMIN, again, {})
    assert ack.status == 200 and ack.json == {}
    [dm] = slack.dms(ADMIN)
    assert texts(dm) == "Nothing changed in the program settings."
    assert len(fake_slack.calls_to("users.info")) == calls_before
