"""What a person's Slack client shows, in the emulator: command replies, response URLs that
know where they came from, and each person's conversations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.emulator import FakeSlack

TOKEN = "xoxb-client-side"
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Hello*"}}]


class Clock:
    def __init__(self) -> None:
        self.now = 1_770_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack(clock=Clock()).start()
    fake.add_workspace("T1", token=TOKEN, bot_user_id="UBOT")
    for user in ("U1", "U2", "U3"):
        fake.add_user("T1", user, name=user.lower())
    fake.add_channel("T1", "C1", name="general", members=["U1", "U2", "UBOT"])
    fake.add_channel("T1", "C2", name="secret", members=["U2", "UBOT"], is_private=True)
    yield fake
    fake.stop()


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake.api_url)


def test_a_command_reply_is_ephemeral_for_the_person_who_typed_it(fake: FakeSlack) -> None:
    ts = fake.show_command_reply("T1", "U1", "C1", {"text": "Only you", "blocks": BLOCKS})
    [shown] = fake.ephemeral_for("T1", "U1")
    assert (shown["ts"], shown["channel"], shown["text"]) == (ts, "C1", "Only you")
    assert shown["blocks"][0]["block_id"]  # Slack fills block ids in
    assert fake.ephemeral_for("T1", "U2") == []
    assert fake.messages("C1") == []
    assert fake.show_command_reply("T1", "U1", "C1", {}) is None  # an empty ack shows nothing


def test_an_in_channel_command_reply_is_posted_for_everyone(fake: FakeSlack) -> None:
    fake.show_command_reply("T1", "U1", "C1", {"response_type": "in_channel", "text": "Hi all"})
    [posted] = fake.messages("C1")
    assert posted["text"] == "Hi all" and posted["user"] == "UBOT"
    assert fake.ephemeral_for("T1", "U1") == []


def test_a_commands_response_url_adds_then_replaces_its_ephemeral_reply(fake: FakeSlack) -> None:
    url = fake.new_response_url(team_id="T1", user_id="U1", channel_id="C1")
    fake.show_command_reply("T1", "U1", "C1", {"text": "Working…"}, response_url=url)
    hook = WebhookClient(url)
    assert hook.send(text="Done", replace_original=True).status_code == 200
    [reply] = fake.ephemeral_for("T1", "U1")
    assert reply["text"] == "Done"
    assert hook.send(text="And one more", replace_original=False).status_code == 200
    assert [e["text"] for e in fake.ephemeral_for("T1", "U1")] == ["Done", "And one more"]
    assert hook.send(delete_original=True).status_code == 200
    assert [e["text"] for e in fake.ephemeral_for("T1", "U1")] == ["Done"]


def test_replace_original_from_a_click_in_an_ephemeral_message(fake: FakeSlack) -> None:
    ts = fake.show_command_reply("T1", "U1", "C1", {"text": "Menu", "blocks": BLOCKS})
    assert ts is not None
    url = fake.new_response_url(team_id="T1", user_id="U1", channel_id="C1", message_ts=ts, is_ephemeral=True)
    WebhookClient(url).send(text="Welcome back", replace_original=True)
    [menu] = fake.ephemeral_for("T1", "U1")
    assert (menu["ts"], menu["text"], menu["blocks"]) == (ts, "Welcome back", [])


def test_replace_original_from_a_click_in_a_posted_message_edits_it_for_everyone(
    fake: FakeSlack, client: WebClient
) -> None:
    ts = client.chat_postMessage(channel="C1", text="Question?", blocks=BLOCKS)["ts"]
    url = fake.new_response_url(team_id="T1", user_id="U2", channel_id="C1", message_ts=ts)
    WebhookClient(url).send(text="Answered", replace_original=True)
    [message] = fake.messages("C1")
    assert message["ts"] == ts and message["text"] == "Answered" and "edited" in message
    WebhookClient(url).send(text="Posted for all", response_type="in_channel")
    assert [m["text"] for m in fake.messages("C1")] == ["Answered", "Posted for all"]
    WebhookClient(url).send(delete_original=True)
    assert [m["text"] for m in fake.messages("C1")] == ["Posted for all"]


def test_a_response_url_without_an_origin_is_only_recorded(fake: FakeSlack) -> None:
    url = fake.new_response_url()
    WebhookClient(url).send(text="Recorded", replace_original=True)
    assert fake.response_url_posts_to(url) == [{"text": "Recorded", "replace_original": True}]
    assert fake.ephemeral_messages == []


def test_the_response_url_limits_still_apply_with_an_origin(fake: FakeSlack) -> None:
    url = fake.new_response_url(team_id="T1", user_id="U1", channel_id="C1")
    hook = WebhookClient(url)
    assert [hook.send(text=f"post {n}").status_code for n in range(6)] == [200] * 5 + [404]
    assert len(fake.ephemeral_for("T1", "U1")) == 5


def test_conversations_for_a_person(fake: FakeSlack, client: WebClient) -> None:
    dm = fake.open_app_dm("T1", "U1")
    assert fake.open_app_dm("T1", "U1") == dm == client.conversations_open(users="U1")["channel"]["id"]
    group = client.conversations_open(users="U1,U3")["channel"]["id"]
    client.chat_postMessage(channel=group, text="Meet your peer")
    seen = fake.conversations_for("T1", "U1")
    assert [(c["id"], c["kind"]) for c in seen] == [(dm, "im"), ("C1", "channel"), (group, "mpim")]
    assert seen[2]["members"] == ["U1", "U3"] and seen[2]["messages"][0]["text"] == "Meet your peer"
    assert [c["id"] for c in fake.conversations_for("T1", "U2")] == ["C1", "C2"]


def test_people_and_channels_as_the_client_lists_them(fake: FakeSlack) -> None:
    assert [p["id"] for p in fake.people("T1")] == ["U1", "U2", "U3"]
    assert {c["id"]: c["is_private"] for c in fake.channels("T1")} == {"C1": False, "C2": True}
