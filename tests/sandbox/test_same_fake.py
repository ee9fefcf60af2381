"""The sandbox's Slack is the fake the whole-app tests use: one implementation, same rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.emulator import FakeSlack
from bot.emulator.driver import SlackDriver
from bot.sandbox.people import BOT_TOKEN, EMPLOYEES, GENERAL, TEAM_ID
from bot.sandbox.runner import Sandbox

ANA = EMPLOYEES[0].user_id
MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "A modal"},
    "close": {"type": "plain_text", "text": "Close"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}],
}


@pytest.fixture
def client(sandbox: Sandbox) -> WebClient:
    """The app's own view of Slack: its token, the emulator's URL."""
    return WebClient(token=BOT_TOKEN, base_url=sandbox.fake.api_url)


def error_of(call, *args, **kwargs) -> str:
    with pytest.raises(SlackApiError) as raised:
        call(*args, **kwargs)
    return str(raised.value.response["error"])


def test_one_implementation() -> None:
    import tests.app.conftest as whole_app

    assert whole_app.FakeSlack is FakeSlack
    assert SlackDriver.__module__ == "bot.emulator.driver"


def test_the_sandbox_runs_on_that_fake(sandbox: Sandbox) -> None:
    assert type(sandbox.fake) is FakeSlack
    assert sandbox.settings.slack_api_url == sandbox.fake.api_url


def test_a_trigger_works_once_and_for_three_seconds_of_the_sandbox_clock(
    sandbox: Sandbox, client: WebClient
) -> None:
    reply = sandbox.slack.command(ANA, GENERAL, "join")
    sandbox.slack.modal_opened(reply)  # the app used the trigger
    assert error_of(client.views_open, trigger_id=reply.trigger_id, view=MODAL) == "exchanged_trigger_id"
    trigger = sandbox.fake.new_trigger_id(TEAM_ID, ANA)
    sandbox.clock.advance(timedelta(seconds=3))
    assert error_of(client.views_open, trigger_id=trigger, view=MODAL) == "expired_trigger_id"
    assert error_of(client.views_open, trigger_id="1.2.nonsense", view=MODAL) == "invalid_trigger_id"


def test_the_modal_stack_holds_three_views(sandbox: Sandbox, client: WebClient) -> None:
    def trigger() -> str:
        return sandbox.fake.new_trigger_id(TEAM_ID, ANA)

    client.views_open(trigger_id=trigger(), view=MODAL)
    client.views_push(trigger_id=trigger(), view=MODAL)
    client.views_push(trigger_id=trigger(), view=MODAL)
    assert error_of(client.views_push, trigger_id=trigger(), view=MODAL) == "push_limit_reached"
    assert len(sandbox.fake.open_modal_stack(TEAM_ID, ANA)) == 3


def test_block_kit_limits_and_validation(client: WebClient) -> None:
    long_title = {**MODAL, "title": {"type": "plain_text", "text": "x" * 25}}
    assert (
        error_of(client.views_publish, user_id=ANA, view={**long_title, "type": "home"})
        == "invalid_arguments"
    )
    blocks = [{"type": "divider"}] * 51
    assert error_of(client.chat_postMessage, channel=GENERAL, text="t", blocks=blocks) == "invalid_blocks"
    assert error_of(client.chat_postMessage, channel="C404", text="t") == "channel_not_found"


def test_response_urls_and_rate_limits(sandbox: Sandbox, client: WebClient) -> None:
    hook = WebhookClient(sandbox.fake.new_response_url(team_id=TEAM_ID, user_id=ANA, channel_id=GENERAL))
    assert [hook.send(text="hi").status_code for _ in range(6)] == [200] * 5 + [404]
    sandbox.fake.set_rate_limit("chat.postMessage", per_minute=1)
    client.chat_postMessage(channel=GENERAL, text="one")
    with pytest.raises(SlackApiError) as limited:
        client.chat_postMessage(channel=GENERAL, text="two")
    assert limited.value.response.status_code == 429 and limited.value.response.headers["Retry-After"]
