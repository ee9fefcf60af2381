"""The page's modal stack follows Slack's: a pushed view on top, back to the one below with
what was typed still there, updates in place, and confirm dialogs before a risky click."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.sandbox.people import BOT_TOKEN, EMPLOYEES, TEAM_ID
from bot.sandbox.runner import Sandbox

ANA = EMPLOYEES[0].user_id


def view(title: str, text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "close": {"type": "plain_text", "text": "Back"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def test_push_back_and_update(page: Any, sandbox: Sandbox) -> None:
    app = WebClient(token=BOT_TOKEN, base_url=sandbox.fake.api_url)
    page.get_by_role("button", name="Join the program").click()
    page.locator(".modal h2", has_text="Join peer mentoring").wait_for()
    page.get_by_label("My team").fill("Payments")

    # The app pushes a view (with a trigger, as it would from a click in the modal).
    app.views_push(
        trigger_id=sandbox.fake.new_trigger_id(TEAM_ID, ANA),
        view=view("More about pairs", "*Pairs* explained"),
    )
    page.locator(".modal h2", has_text="More about pairs").wait_for()
    assert page.locator(".modal .modal-back").count() == 1
    page.locator(".modal .modal-back").click()
    page.locator(".modal h2", has_text="Join peer mentoring").wait_for()
    assert page.get_by_label("My team").input_value() == "Payments"  # kept, as in Slack

    # views.update replaces the view in place (its form starts afresh).
    [join] = sandbox.fake.open_modal_stack(TEAM_ID, ANA)
    app.views_update(view_id=join["id"], view=view("Updated", "Changed by the app"))
    page.locator(".modal h2", has_text="Updated").wait_for()
    page.locator(".modal .modal-close").click()
    page.locator(".modal").wait_for(state="detached")
    assert sandbox.fake.open_modal_stack(TEAM_ID, ANA) == []


def test_a_confirm_dialog_comes_before_the_click(page: Any, sandbox: Sandbox) -> None:
    page.get_by_role("button", name="Delete my data").click()
    dialog = page.get_by_role("alertdialog")
    dialog.wait_for()
    calls = len(sandbox.fake.calls)
    dialog.locator("button").first.click()  # deny: nothing reaches the app
    dialog.wait_for(state="detached")
    page.wait_for_timeout(300)
    assert not [c for c in sandbox.fake.calls[calls:] if c.method != "views.publish"]
