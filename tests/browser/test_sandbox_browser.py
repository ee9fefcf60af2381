"""The sandbox in a real browser: the tour a person takes, from joining to a manager's summary.

Every step clicks and types in the page; the page sends what Slack would send to the real
app. Screenshots of the key screens go to build/screenshots/ (docs/screenshots/ with
REFRESH_SCREENSHOTS=1).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.sandbox.people import ADMIN, EVERYONE, MANAGER, TEAM_CHANNEL, TEAM_ID
from bot.sandbox.runner import Sandbox
from tests.browser.conftest import SCREENSHOTS

ANA = "U0ANA"


# ---------------------------------------------------------------- how a person uses the page


def be(page: Any, user_id: str) -> None:
    """Pick who you are; the page switches at once."""
    page.select_option("#who", user_id)
    name = next(p.real_name for p in EVERYONE if p.user_id == user_id)
    page.locator(".side-me").filter(has_text=name).wait_for()


def open_app(page: Any, tab: str) -> None:
    page.locator("#sidebar .side-item", has_text="Peer Mentor").click()
    page.get_by_role("tab", name=tab).click()


def open_conversation(page: Any, conv_id: str) -> None:
    page.locator(f'#sidebar [data-conv-id="{conv_id}"]').click()


def type_in_composer(page: Any, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")


def modal(page: Any, title: str) -> Any:
    box = page.locator(".modal")
    box.locator("h2", has_text=title).wait_for()
    return box


def message(page: Any, containing: str) -> Any:
    found = page.locator("#pane .msg", has_text=containing).last
    found.wait_for()
    return found


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(150)  # let the last poll paint
    page.evaluate("document.getElementById('toasts').replaceChildren()")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def skip_if_not_built(page: Any, word: str) -> None:
    """The app answers an unknown sub-command with help: then that feature isn't there yet."""
    unknown = page.locator("#pane .msg-ephemeral", has_text=f"`{word}`")
    if unknown.count():
        pytest.skip(f"/peer-mentor {word} is not built yet")


def group_dm_of(sandbox: Sandbox, user_id: str) -> dict[str, Any]:
    [conv] = [c for c in sandbox.fake.conversations_for(TEAM_ID, user_id) if c["kind"] == "mpim"]
    return conv


# ---------------------------------------------------------------- the tour


def test_the_tour_from_joining_to_a_team_summary(page: Any, sandbox: Sandbox) -> None:
    # Ana joins from App Home. She forgets what she can share: the app says so inline.
    be(page, ANA)
    page.get_by_role("button", name="Join the program").click()
    form = modal(page, "Join peer mentoring")
    shot(page, "01-join-modal")
    form.get_by_label("What I want to grow").select_option(label="Public speaking")
    form.get_by_label("My experience level").select_option(label="Mid-level (3–5 years)")
    form.get_by_label("The kind of work I do").select_option(label="Engineering")
    form.get_by_label("My team").fill("Payments")
    form.get_by_label("Video call").check()
    form.get_by_label("Every week").check()
    form.get_by_label("I commit to both give and receive candid, kind feedback").check()
    form.locator(".modal-submit").click()
    error = form.locator('[data-block-id="can_share"] .bk-error')
    error.wait_for()
    assert "at least one thing you can share" in error.inner_text()
    shot(page, "02-join-inline-error")
    form.get_by_label("What I can share").select_option(label="Backend development")
    form.get_by_label("What I can share").select_option(label="System design")
    form.locator(".modal-submit").click()
    page.locator(".modal").wait_for(state="detached")
    open_app(page, "Messages")
    message(page, "Welcome to peer mentoring")

    # Everyone else joins through the same form, each with their own answers.
    page.click("#fill")
    page.locator(".toast", has_text="11 demo people joined").wait_for()

    # The program admin runs a round: a preview first, then the round.
    be(page, ADMIN.user_id)
    open_app(page, "Messages")
    type_in_composer(page, "/peer-mentor match")
    page.wait_for_timeout(300)
    skip_if_not_built(page, "match")
    preview = modal(page, "Matching round")
    preview.get_by_text("Preview of this matching round").wait_for()
    shot(page, "03-match-preview")
    preview.locator(".modal-submit").click()
    preview.get_by_text(re.compile(r"Done: \d+ pairs?")).wait_for()
    shot(page, "04-match-done")
    preview.locator(".modal-close").click()
    page.locator(".modal").wait_for(state="detached")

    # Ana meets her peer in a group DM that says why they were matched.
    be(page, ANA)
    page.locator('#sidebar [data-kind="mpim"]').wait_for(timeout=15000)
    pair_dm = group_dm_of(sandbox, ANA)
    [peer] = [m for m in pair_dm["members"] if m != ANA]
    open_conversation(page, pair_dm["id"])
    intro = message(page, "Set our ground rules")
    shot(page, "05-intro")

    # She proposes ground rules; her peer agrees.
    intro.get_by_role("button", name="Set our ground rules").click()
    rules = modal(page, "Our ground rules")
    rules.get_by_label("Every week").check()
    if not rules.locator('[data-block-id="meeting_ways"] input:checked').count():
        rules.get_by_label("Video call").check()
    rules.get_by_label("What we discuss stays between us").check()
    rules.get_by_label("Off-limits topics").fill("Pay and reorgs")
    rules.get_by_label("What I want from this pairing").fill("Present to leadership with confidence")
    rules.get_by_label("I'll give and receive candid, kind feedback").check()
    rules.get_by_label(re.compile("I'll respect my peer")).check()
    shot(page, "06-ground-rules-modal")
    rules.locator(".modal-submit").click()
    page.locator(".modal").wait_for(state="detached")
    message(page, "proposes ground rules")

    be(page, peer)
    open_conversation(page, pair_dm["id"])
    assert page.locator("#pane .msg", has_text="Set our ground rules").count() >= 1  # the intro, for both
    proposal = message(page, "proposes ground rules")
    proposal.get_by_role("button", name="Agree").click()
    # The peer hasn't said what they want yet, so Agree asks first, as Slack shows a confirm.
    dialog = page.get_by_role("alertdialog", name="Agree with a goal missing?")
    dialog.get_by_role("button", name="Agree as it is").click()
    message(page, "agreed your ground rules")
    # The proposal is updated in place: no buttons, and it points to the agreed rules below.
    answered = message(page, "Ground rules agreed (version 1)")
    assert answered.get_by_role("button", name="Agree").count() == 0
    assert "in the message below" in answered.inner_text()
    shot(page, "07-rules-agreed")

    # A week passes: the worker sends Ana her check-in in her working hours.
    be(page, ANA)
    page.click("#advance-week")
    # 168 hourly worker ticks: seconds on an idle machine, far longer on a loaded one.
    page.locator(".toast", has_text="the worker ticked").wait_for(timeout=120000)
    open_app(page, "Messages")
    checkin = message(page, "We met")
    shot(page, "08-checkin")
    checkin.get_by_role("button", name="We met").click()
    updated = page.locator("#pane .msg", has_text="You met").last
    updated.wait_for()
    assert updated.get_by_role("button", name="We met").count() == 0  # chat.update, in place

    # …and gives her peer feedback.
    updated.get_by_role("button", name="Give feedback").click()
    feedback = modal(page, "Feedback for your peer")
    fields = feedback.locator("textarea")
    fields.nth(0).fill("You explained the retry logic clearly")
    fields.nth(1).fill("Share the draft a day earlier")
    feedback.locator(".modal-submit").click()
    feedback.get_by_text(re.compile("goes to")).wait_for()
    shot(page, "09-feedback-sent")
    feedback.locator(".modal-close, .modal-x").first.click()
    page.locator(".modal").wait_for(state="detached")

    # The manager posts a team summary in the team channel: totals only, never a name.
    be(page, MANAGER.user_id)
    open_conversation(page, TEAM_CHANNEL)
    type_in_composer(page, "/peer-mentor summary")
    page.wait_for_timeout(300)
    skip_if_not_built(page, "summary")
    summary = message(page, "Peer mentoring in")
    shot(page, "10-team-summary")
    text = summary.inner_text()
    for person in EVERYONE:
        for name in person.real_name.split():
            assert name not in text, f"{name} appears in the summary"
    assert summary.locator(".bk-mention[data-user]").count() == 0
