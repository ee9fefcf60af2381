"""The fake Slack enforces what it claims, seen through a real slack_sdk WebClient over HTTP."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from bot.emulator import FakeSlack, problems
from bot.emulator import signed_requests as sr

TOKEN = "xoxb-test-1"
OTHER_TOKEN = "xoxb-test-2"
SECRET = "signing-secret"


class Clock:
    """A clock the test moves by hand, so expiry needs no sleeping."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeSlack]:
    fake = FakeSlack(clock=clock).start()
    fake.add_workspace("T1", token=TOKEN, name="Acme")
    fake.add_workspace("T2", token=OTHER_TOKEN, name="Other")
    fake.add_user("T1", "U1", name="ann", real_name="Ann A", tz="America/New_York")
    fake.add_user("T1", "U2", name="bob")
    fake.add_user("T1", "U3", name="cat")
    fake.add_user("T1", "UGONE", name="gone", deleted=True)
    fake.add_user("T1", "UROBOT", name="robot", is_bot=True)
    fake.add_user("T2", "U9", name="zed")
    fake.add_channel("T1", "C1", name="general", members=["U1", "U2", "UBOT"])
    fake.add_channel("T1", "CNOBOT", name="random", members=["U1"])
    yield fake
    fake.stop()


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake.api_url)


def bolt_request(request: sr.SignedRequest) -> BoltRequest:
    headers: dict[str, str | Sequence[str]] = dict(request.headers)
    return BoltRequest(body=request.text, headers=headers)


def slack_error(call: Any, **kwargs: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        call(**kwargs)
    return caught.value


def modal(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Peer Mentor"},
        "blocks": list(blocks) or [section("hello")],
        **extra,
    }


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def option(value: str, text: str | None = None) -> dict[str, Any]:
    return {"text": plain(text or value), "value": value}


# ---------------------------------------------------------------- auth


def test_token_rules(fake: FakeSlack) -> None:
    assert slack_error(WebClient(base_url=fake.api_url).auth_test).response["error"] == "not_authed"
    assert slack_error(WebClient(token="xoxb-nope", base_url=fake.api_url).auth_test).response["error"] == (
        "invalid_auth"
    )
    fake.revoke_token(TOKEN)
    assert slack_error(WebClient(token=TOKEN, base_url=fake.api_url).auth_test).response["error"] == (
        "token_revoked"
    )


def test_token_is_read_from_a_form_argument_but_not_from_a_json_body(fake: FakeSlack) -> None:
    # slack_sdk always moves the token to the header, so speak HTTP directly here.
    def post(body: bytes, content_type: str) -> dict[str, Any]:
        request = urllib.request.Request(
            fake.api_url + "auth.test", data=body, headers={"Content-Type": content_type}
        )
        with urllib.request.urlopen(request) as response:
            answer: dict[str, Any] = json.loads(response.read())
            return answer

    assert post(f"token={TOKEN}".encode(), "application/x-www-form-urlencoded")["team_id"] == "T1"
    assert post(json.dumps({"token": TOKEN}).encode(), "application/json")["error"] == "not_authed"


def test_auth_test_and_bolt_app_construction(fake: FakeSlack, client: WebClient) -> None:
    assert client.auth_test()["user_id"] == "UBOT"
    App(client=client, signing_secret=SECRET)  # Bolt calls auth.test while constructing
    assert [c.method for c in fake.calls] == ["auth.test", "auth.test"]


def test_org_wide_token_sees_each_workspace(fake: FakeSlack) -> None:
    fake.add_workspace("T3", token="xoxb-org", name="Org A")
    fake.add_workspace("T4", token="xoxb-org", name="Org B")
    fake.add_user("T4", "W4", name="wen")
    org = WebClient(token="xoxb-org", base_url=fake.api_url)
    assert org.users_info(user="W4")["user"]["team_id"] == "T4"
    assert fake.calls_to("users.info")[-1].team_id == "T4"
    assert org.auth_test()["is_enterprise_install"] is True


# ---------------------------------------------------------------- users


def test_users_info_shapes_and_tz_offset(fake: FakeSlack, client: WebClient, clock: Clock) -> None:
    clock.now = 1_719_835_200  # 2024-07-01: New York is on daylight time
    user = client.users_info(user="U1")["user"]
    assert user["tz_offset"] == -4 * 3600
    assert user["profile"]["real_name"] == "Ann A"
    assert (user["id"], user["team_id"], user["name"], user["deleted"], user["is_bot"]) == (
        "U1",
        "T1",
        "ann",
        False,
        False,
    )
    assert client.users_info(user="UGONE")["user"]["deleted"] is True


def test_a_user_of_another_workspace_is_not_found(client: WebClient) -> None:
    assert slack_error(client.users_info, user="U9").response["error"] == "user_not_found"
    assert slack_error(client.conversations_open, users="U9").response["error"] == "user_not_found"


def test_users_list_and_usergroups(fake: FakeSlack, client: WebClient) -> None:
    first = client.users_list(limit=2)
    second = client.users_list(limit=2, cursor=first["response_metadata"]["next_cursor"])
    rest = client.users_list(limit=2, cursor=second["response_metadata"]["next_cursor"])
    names = [u["id"] for page in (first, second, rest) for u in page["members"]]
    assert names == ["U1", "U2", "U3", "UGONE", "UROBOT"]
    assert rest["response_metadata"]["next_cursor"] == ""
    fake.add_usergroup("T1", "S1", handle="mentors", users=["U1", "U2"])
    assert client.usergroups_users_list(usergroup="S1")["users"] == ["U1", "U2"]
    assert slack_error(client.usergroups_users_list, usergroup="S404").response["error"] == "no_such_subteam"


def test_usergroups_list_finds_a_group_by_its_handle(fake: FakeSlack, client: WebClient) -> None:
    fake.add_usergroup("T1", "S1", handle="design-team", users=["U1", "U2"])
    fake.add_usergroup("T2", "S2", handle="other-team", users=["U9"])
    [group] = client.usergroups_list()["usergroups"]
    assert (group["id"], group["handle"], group["team_id"], group["date_delete"]) == (
        "S1",
        "design-team",
        "T1",
        0,
    )
    assert "users" not in group and "user_count" not in group
    [full] = client.usergroups_list(include_users=True, include_count=True)["usergroups"]
    assert full["users"] == ["U1", "U2"] and full["user_count"] == "2"


# ---------------------------------------------------------------- conversations


def test_conversations_open_returns_the_same_id_for_the_same_people(
    fake: FakeSlack, client: WebClient
) -> None:
    im = client.conversations_open(users="U1")
    assert im["channel"]["id"].startswith("D")
    again = client.conversations_open(users="U1")
    assert again["channel"]["id"] == im["channel"]["id"]
    assert again["already_open"] is True
    mpim = client.conversations_open(users="U1,U2,U3")["channel"]["id"]
    assert client.conversations_open(users="U3,U1,U2")["channel"]["id"] == mpim
    assert mpim != im["channel"]["id"]
    assert fake.dm_channel("T1", ["U2", "U3", "U1"]) == mpim
    assert fake.dm_channel("T1", ["U2"]) is None
    full = client.conversations_open(users="U1", return_im=True)["channel"]
    assert full["is_im"] is True and full["user"] == "U1"


@pytest.mark.parametrize(
    ("users", "error"),
    [
        ("UROBOT", "cannot_dm_bot"),
        ("UBOT", "cannot_dm_bot"),
        ("U404", "user_not_found"),
        (",".join(f"U{i}" for i in range(9)), "too_many_users"),
        ("", "users_list_not_supplied"),
    ],
)
def test_conversations_open_errors(client: WebClient, users: str, error: str) -> None:
    assert slack_error(client.conversations_open, users=users).response["error"] == error


def test_a_deactivated_person_can_still_be_messaged(fake: FakeSlack, client: WebClient) -> None:
    # As in Slack: nothing stops the app, so it must check users.info `deleted` itself.
    channel = client.conversations_open(users="UGONE")["channel"]["id"]
    client.chat_postMessage(channel=channel, text="Your match is ready")
    assert fake.messages(channel)[0]["text"] == "Your match is ready"


def test_members_of_a_5000_member_channel_page_by_200(fake: FakeSlack, client: WebClient) -> None:
    members = [f"U{i:05d}" for i in range(4999)] + ["UBOT"]
    fake.add_channel("T1", "CBIG", name="everyone", members=members)
    pages = [page["members"] for page in client.conversations_members(channel="CBIG", limit=200)]
    assert [len(p) for p in pages] == [200] * 25  # slack_sdk followed 24 cursors
    assert [m for p in pages for m in p] == members
    assert len(fake.calls_to("conversations.members")) == 25
    assert len(client.conversations_members(channel="CBIG")["members"]) == 100  # Slack's default
    assert slack_error(client.conversations_members, channel="C404").response["error"] == "channel_not_found"
    assert slack_error(client.conversations_members, channel="CBIG", cursor="bogus").response["error"] == (
        "invalid_cursor"
    )


def test_history_finds_the_apps_own_messages_by_metadata(
    fake: FakeSlack, client: WebClient, clock: Clock
) -> None:
    # The app reads history only in its DMs; this channel's needs a scope it does not ask for.
    fake.set_scopes(fake.granted_scopes | {"channels:history"})
    fake.add_message("T1", "C1", user="U1", text="hello from a person")
    clock.advance(10)
    posted = client.chat_postMessage(
        channel="C1",
        text="Round 3 pairs",
        metadata={"event_type": "pairing_round", "event_payload": {"round": 3}},
    )
    clock.advance(10)
    client.chat_postMessage(channel="C1", text="later")
    newest_first = client.conversations_history(channel="C1", include_all_metadata=True)["messages"]
    assert [m["text"] for m in newest_first] == ["later", "Round 3 pairs", "hello from a person"]
    assert newest_first[1]["metadata"] == {"event_type": "pairing_round", "event_payload": {"round": 3}}
    assert "metadata" not in client.conversations_history(channel="C1")["messages"][1]
    window = client.conversations_history(channel="C1", oldest=posted["ts"], inclusive=True)["messages"]
    assert [m["text"] for m in window] == ["later", "Round 3 pairs"]
    page = client.conversations_history(channel="C1", limit=2)
    assert page["has_more"] is True
    tail = client.conversations_history(
        channel="C1", limit=2, cursor=page["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in tail["messages"]] == ["hello from a person"]


# ---------------------------------------------------------------- chat


def test_post_to_a_user_id_posts_to_their_im(fake: FakeSlack, client: WebClient) -> None:
    answer = client.chat_postMessage(channel="U2", text="hi bob")
    assert answer["channel"] == fake.dm_channel("T1", ["U2"])
    assert fake.messages(answer["channel"])[0]["user"] == "UBOT"


NO_TEXT_WARNING = "ignore:The top-level `text` argument is missing:UserWarning"


@pytest.mark.filterwarnings(NO_TEXT_WARNING)
@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"channel": "C1"}, "no_text"),
        ({"channel": "C404", "text": "x"}, "channel_not_found"),
        ({"channel": "CNOBOT", "text": "x"}, "not_in_channel"),
        ({"channel": "U404", "text": "x"}, "channel_not_found"),
        ({"channel": "C1", "text": "x", "metadata": {"event_type": "x"}}, "invalid_metadata_format"),
    ],
)
def test_post_message_errors(client: WebClient, kwargs: dict[str, Any], error: str) -> None:
    assert slack_error(client.chat_postMessage, **kwargs).response["error"] == error


def test_invalid_blocks_are_rejected_with_slacks_error_shape(client: WebClient) -> None:
    err = slack_error(
        client.chat_postMessage,
        channel="C1",
        text="x",
        blocks=[section(""), {"type": "header", "text": plain("h" * 151)}],
    )
    assert err.response.data == {
        "ok": False,
        "error": "invalid_blocks",
        "errors": [
            "must be more than 0 characters [json-pointer:/blocks/0/text/text]",
            "must be less than 151 characters [json-pointer:/blocks/1/text/text]",
        ],
        "response_metadata": {
            "messages": [
                "[ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text]",
                "[ERROR] must be less than 151 characters [json-pointer:/blocks/1/text/text]",
            ]
        },
    }


def test_fifty_one_blocks_are_too_many_for_a_message(client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="x", blocks=[{"type": "divider"}] * 50)
    err = slack_error(client.chat_postMessage, channel="C1", text="x", blocks=[{"type": "divider"}] * 51)
    assert err.response["errors"] == ["no more than 50 items allowed [json-pointer:/blocks]"]


def test_chat_update_replaces_the_message(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(
        channel="C1",
        text="v1",
        blocks=[section("v1", block_id="b")],
        metadata={"event_type": "pair", "event_payload": {"id": 1}},
    )
    client.chat_update(channel="C1", ts=posted["ts"], text="v2")  # blocks/metadata omitted: kept
    [message] = fake.messages("C1")
    assert (message["text"], message["blocks"][0]["text"]["text"], message["metadata"]["event_payload"]) == (
        "v2",
        "v1",
        {"id": 1},
    )
    client.chat_update(channel="C1", ts=posted["ts"], text="v3", blocks=[])
    [message] = fake.messages("C1")
    assert (message["text"], message["blocks"], message["ts"]) == ("v3", [], posted["ts"])
    assert "edited" in message


@pytest.mark.filterwarnings(NO_TEXT_WARNING)
def test_chat_update_errors(fake: FakeSlack, client: WebClient) -> None:
    assert slack_error(client.chat_update, channel="C1", ts="1.000001", text="x").response["error"] == (
        "message_not_found"
    )
    theirs = fake.add_message("T1", "C1", user="U1", text="mine")
    assert slack_error(client.chat_update, channel="C1", ts=theirs, text="x").response["error"] == (
        "cant_update_message"
    )
    posted = client.chat_postMessage(channel="C1", text="x")
    err = slack_error(client.chat_update, channel="C1", ts=posted["ts"], blocks=[section("")])
    assert err.response["error"] == "invalid_blocks"


def test_ephemeral_messages(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert fake.ephemeral_messages[0]["user"] == "U1"
    assert slack_error(client.chat_postEphemeral, channel="C1", user="U3", text="x").response["error"] == (
        "user_not_in_channel"
    )


def test_permalink(client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="x")
    link = client.chat_getPermalink(channel="C1", message_ts=posted["ts"])["permalink"]
    assert link.startswith("https://acme.slack.com/archives/C1/p")


# ---------------------------------------------------------------- failure injection and limits


def test_injected_429_carries_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=3)
    err = slack_error(client.chat_postMessage, channel="C1", text="x")
    assert err.response.status_code == 429
    assert err.response.headers["Retry-After"] == "3"
    assert err.response["error"] == "ratelimited"
    assert fake.messages("C1") == []
    client.chat_postMessage(channel="C1", text="x")  # only the next call failed
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]


@pytest.mark.parametrize("status", [500, 503])
def test_injected_server_errors_are_not_json(fake: FakeSlack, client: WebClient, status: int) -> None:
    fake.fail_next("users.info", status=status, times=2)
    for _ in range(2):
        err = slack_error(client.users_info, user="U1")
        assert err.response.status_code == status
        assert "non-JSON" in err.response["error"]
    assert client.users_info(user="U1")["ok"]


def test_injected_api_error(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("conversations.open", error="user_disabled")
    assert slack_error(client.conversations_open, users="U1").response["error"] == "user_disabled"


def test_an_error_after_storing_posts_the_message_and_still_answers_the_error(
    fake: FakeSlack, client: WebClient
) -> None:
    # Slack's ambiguous internal_error: the message may be there although the answer says no.
    fake.fail_next("chat.postMessage", error="internal_error", after_storing=True)
    assert slack_error(client.chat_postMessage, channel="C1", text="maybe").response["error"] == (
        "internal_error"
    )
    assert [m["text"] for m in fake.messages("C1")] == ["maybe"]


def test_a_group_dm_with_a_deactivated_member_is_refused_without_saying_who(client: WebClient) -> None:
    assert slack_error(client.conversations_open, users="U1,UGONE").response["error"] == "user_disabled"
    assert client.conversations_open(users="UGONE")["ok"]  # their own DM still opens


def test_a_dropped_response_makes_slack_sdk_post_twice(fake: FakeSlack) -> None:
    # What SLACK.md warns about: the default retry handler re-sends after a lost connection.
    fake.fail_next("chat.postMessage", drop_response=True)
    # The default handler class, minus its back-off sleep.
    retrying = WebClient(
        token=TOKEN,
        base_url=fake.api_url,
        retry_handlers=[
            ConnectionErrorRetryHandler(
                interval_calculator=FixedValueRetryIntervalCalculator(fixed_internal=0)
            )
        ],
    )
    retrying.chat_postMessage(channel="C1", text="once, hopefully")
    assert [m["text"] for m in fake.messages("C1")] == ["once, hopefully"] * 2
    assert [c.connection_dropped for c in fake.calls_to("chat.postMessage")] == [True, False]


def test_rate_limiter_uses_the_clock(fake: FakeSlack, client: WebClient, clock: Clock) -> None:
    fake.set_rate_limit("users.info", per_minute=2)
    client.users_info(user="U1")
    clock.advance(20)
    client.users_info(user="U1")
    err = slack_error(client.users_info, user="U1")
    assert (err.response.status_code, err.response.headers["Retry-After"]) == (429, "40")
    clock.advance(40)
    client.users_info(user="U1")
    fake.set_rate_limit("users.info", per_minute=None)
    for _ in range(5):
        client.users_info(user="U1")


# ---------------------------------------------------------------- wait_for


def test_wait_for_sees_calls_made_on_another_thread(fake: FakeSlack, client: WebClient) -> None:
    waiting = threading.Event()

    def post_later() -> None:
        waiting.wait()
        for n in range(3):
            client.chat_postMessage(channel="C1", text=f"n{n}")

    worker = threading.Thread(target=post_later)
    worker.start()
    waiting.set()
    calls = fake.wait_for("chat.postMessage", lambda c: c.args["text"].startswith("n"), count=3)
    worker.join()
    assert [c.args["text"] for c in calls] == ["n0", "n1", "n2"]


def test_wait_for_ignores_failures_and_explains_a_timeout(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", error="channel_not_found")
    slack_error(client.chat_postMessage, channel="C1", text="x")
    with pytest.raises(AssertionError, match=r"chat\.postMessage \[T1\] -> channel_not_found"):
        fake.wait_for("chat.postMessage", timeout=0.05)


# ---------------------------------------------------------------- triggers and modals


def test_trigger_expires_after_three_seconds(fake: FakeSlack, client: WebClient, clock: Clock) -> None:
    trigger = fake.new_trigger_id("T1", "U1")
    clock.advance(3.0)
    assert slack_error(client.views_open, trigger_id=trigger, view=modal()).response["error"] == (
        "expired_trigger_id"
    )
    fresh = fake.new_trigger_id("T1", "U1")
    clock.advance(2.9)
    client.views_open(trigger_id=fresh, view=modal())


def test_trigger_is_single_use(fake: FakeSlack, client: WebClient) -> None:
    trigger = fake.new_trigger_id("T1", "U1")
    client.views_open(trigger_id=trigger, view=modal())
    assert slack_error(client.views_open, trigger_id=trigger, view=modal()).response["error"] == (
        "exchanged_trigger_id"
    )


def test_trigger_must_exist_and_belong_to_the_tokens_workspace(fake: FakeSlack, client: WebClient) -> None:
    assert slack_error(client.views_open, trigger_id="1.2.abc", view=modal()).response["error"] == (
        "invalid_trigger_id"
    )
    elsewhere = fake.new_trigger_id("T2", "U9")
    assert slack_error(client.views_open, trigger_id=elsewhere, view=modal()).response["error"] == (
        "invalid_trigger_id"
    )


def test_a_rejected_view_does_not_use_up_the_trigger(fake: FakeSlack, client: WebClient) -> None:
    trigger = fake.new_trigger_id("T1", "U1")
    err = slack_error(client.views_open, trigger_id=trigger, view=modal(title=plain("t" * 25)))
    assert err.response.data == {
        "ok": False,
        "error": "invalid_arguments",
        "response_metadata": {
            "messages": ["[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"]
        },
    }
    client.views_open(trigger_id=trigger, view=modal())


def test_opened_view_is_stored_like_slack_stores_it(fake: FakeSlack, client: WebClient) -> None:
    view = modal(
        {"type": "input", "label": plain("Goal"), "element": {"type": "plain_text_input"}},
        submit=plain("Save"),
        callback_id="goal",
        private_metadata="42",
    )
    stored = client.views_open(trigger_id=fake.new_trigger_id("T1", "U1"), view=view)["view"]
    assert stored["blocks"][0]["block_id"] and stored["blocks"][0]["element"]["action_id"]  # filled in
    assert (stored["callback_id"], stored["private_metadata"], stored["root_view_id"]) == (
        "goal",
        "42",
        stored["id"],
    )
    assert stored["state"] == {"values": {}} and stored["hash"]
    assert fake.views[stored["id"]] == stored
    assert fake.open_modal_stack("T1", "U1") == [stored]


def test_push_limit_is_three_views(fake: FakeSlack, client: WebClient) -> None:
    root = client.views_open(trigger_id=fake.new_trigger_id("T1", "U1"), view=modal())["view"]
    second = client.views_push(trigger_id=fake.new_trigger_id("T1", "U1"), view=modal())["view"]
    third = client.views_push(trigger_id=fake.new_trigger_id("T1", "U1"), view=modal())["view"]
    assert (third["root_view_id"], third["previous_view_id"]) == (root["id"], second["id"])
    err = slack_error(client.views_push, trigger_id=fake.new_trigger_id("T1", "U1"), view=modal())
    assert err.response["error"] == "push_limit_reached"
    assert [v["id"] for v in fake.open_modal_stack("T1", "U1")] == [root["id"], second["id"], third["id"]]


def test_views_update_checks_the_hash(fake: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(trigger_id=fake.new_trigger_id("T1", "U1"), view=modal(external_id="x1"))[
        "view"
    ]
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal(section("v2")))[
        "view"
    ]
    assert updated["hash"] != opened["hash"] and updated["id"] == opened["id"]
    err = slack_error(client.views_update, view_id=opened["id"], hash=opened["hash"], view=modal())
    assert err.response["error"] == "hash_conflict"
    client.views_update(external_id="x1", view=modal(section("v3")))  # no hash: last write wins
    assert fake.views[opened["id"]]["blocks"][0]["text"]["text"] == "v3"
    assert slack_error(client.views_update, view_id="V404", view=modal()).response["error"] == "not_found"


def test_views_publish_home_with_hash(fake: FakeSlack, client: WebClient) -> None:
    home = {"type": "home", "blocks": [section("Welcome")]}
    first = client.views_publish(user_id="U1", view=home)["view"]
    second = client.views_publish(user_id="U1", view=home, hash=first["hash"])["view"]
    assert second["id"] == first["id"] and second["hash"] != first["hash"]
    err = slack_error(client.views_publish, user_id="U1", view=home, hash=first["hash"])
    assert err.response["error"] == "hash_conflict"
    assert fake.home_view("T1", "U1") == second
    assert (
        slack_error(client.views_publish, user_id="U1", view=modal()).response["error"] == "invalid_arguments"
    )
    assert slack_error(client.views_publish, user_id="U9", view=home).response["error"] == "user_not_found"


def test_view_too_large(fake: FakeSlack, client: WebClient) -> None:
    huge = modal(*[section("x" * 2900) for _ in range(90)])
    err = slack_error(client.views_open, trigger_id=fake.new_trigger_id("T1", "U1"), view=huge)
    assert err.response["error"] == "view_too_large"


def test_submission_acks_move_the_stack(fake: FakeSlack, client: WebClient) -> None:
    form = modal(
        {
            "type": "input",
            "block_id": "goal",
            "label": plain("Goal"),
            "element": {"type": "plain_text_input", "action_id": "goal"},
        },
        submit=plain("Save"),
    )
    root = client.views_open(trigger_id=fake.new_trigger_id("T1", "U1"), view=form)["view"]
    fake.complete_view_submission(root["id"], {"response_action": "errors", "errors": {"goal": "Too short"}})
    assert len(fake.open_modal_stack("T1", "U1")) == 1
    with pytest.raises(AssertionError, match="not input blocks"):
        fake.complete_view_submission(root["id"], {"response_action": "errors", "errors": {"nope": "x"}})
    fake.complete_view_submission(root["id"], {"response_action": "push", "view": modal()})
    assert len(fake.open_modal_stack("T1", "U1")) == 2
    fake.complete_view_submission(root["id"], {"response_action": "clear"})
    assert fake.open_modal_stack("T1", "U1") == []


# ---------------------------------------------------------------- Block Kit limits (problems)


def _input(element: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "input", "label": plain("Label"), "element": element, **extra}


OPTIONS_101 = [option(str(i)) for i in range(101)]

LIMITS: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "modal title",
        "modal",
        modal(title=plain("t" * 25)),
        "must be less than 25 characters [json-pointer:/view/title/text]",
    ),
    ("modal submit", "modal", modal(submit=plain("s" * 25)), "[json-pointer:/view/submit/text]"),
    ("modal close", "modal", modal(close=plain("c" * 25)), "[json-pointer:/view/close/text]"),
    (
        "submit with input",
        "modal",
        modal(_input({"type": "plain_text_input"})),
        "must define `submit` to use an `input` block in modals [json-pointer:/view/blocks/0/input]",
    ),
    ("100 blocks per modal", "modal", modal(*[{"type": "divider"}] * 101), "no more than 100 items allowed"),
    (
        "100 blocks per home",
        "home",
        {"type": "home", "blocks": [{"type": "divider"}] * 101},
        "no more than 100 items allowed",
    ),
    (
        "private_metadata",
        "modal",
        modal(private_metadata="m" * 3001),
        "[json-pointer:/view/private_metadata]",
    ),
    ("callback_id", "modal", modal(callback_id="c" * 256), "[json-pointer:/view/callback_id]"),
    ("block_id length", "message", {"blocks": [section("x", block_id="b" * 256)]}, "/blocks/0/block_id]"),
    (
        "action_id length",
        "message",
        {
            "blocks": [
                {
                    "type": "actions",
                    "elements": [{"type": "button", "text": plain("b"), "action_id": "a" * 256}],
                }
            ]
        },
        "/blocks/0/elements/0/action_id]",
    ),
    (
        "block_id unique",
        "modal",
        modal(section("a", block_id="same"), section("b", block_id="same")),
        "block_id must be unique",
    ),
    (
        "action_id unique in block",
        "message",
        {
            "blocks": [
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "text": plain("a"), "action_id": "x"},
                        {"type": "button", "text": plain("b"), "action_id": "x"},
                    ],
                }
            ]
        },
        "action_id must be unique within a block",
    ),
    ("section text", "message", {"blocks": [section("x" * 3001)]}, "must be less than 3001 characters"),
    (
        "section fields count",
        "message",
        {"blocks": [{"type": "section", "fields": [plain("f")] * 11}]},
        "no more than 10 items allowed [json-pointer:/blocks/0/fields]",
    ),
    (
        "section field length",
        "message",
        {"blocks": [{"type": "section", "fields": [plain("f" * 2001)]}]},
        "must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]",
    ),
    ("header", "message", {"blocks": [{"type": "header", "text": plain("h" * 151)}]}, "less than 151"),
    (
        "context elements",
        "message",
        {"blocks": [{"type": "context", "elements": [plain("c")] * 11}]},
        "no more than 10 items allowed",
    ),
    (
        "actions elements",
        "message",
        {
            "blocks": [
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "text": plain(str(i)), "action_id": str(i)} for i in range(26)
                    ],
                }
            ]
        },
        "no more than 25 items allowed",
    ),
    (
        "button text",
        "message",
        {"blocks": [{"type": "actions", "elements": [{"type": "button", "text": plain("b" * 76)}]}]},
        "must be less than 76 characters",
    ),
    (
        "button value",
        "message",
        {
            "blocks": [
                {"type": "actions", "elements": [{"type": "button", "text": plain("b"), "value": "v" * 2001}]}
            ]
        },
        "must be less than 2001 characters",
    ),
    (
        "option text",
        "modal",
        modal(_input({"type": "static_select", "options": [option("v", "o" * 76)]}), submit=plain("Go")),
        "must be less than 76 characters",
    ),
    (
        "option value",
        "modal",
        modal(_input({"type": "static_select", "options": [option("v" * 151)]}), submit=plain("Go")),
        "must be less than 151 characters",
    ),
    (
        "static select options",
        "modal",
        modal(_input({"type": "static_select", "options": OPTIONS_101}), submit=plain("Go")),
        "no more than 100 items allowed",
    ),
    (
        "checkbox options",
        "modal",
        modal(_input({"type": "checkboxes", "options": OPTIONS_101[:11]}), submit=plain("Go")),
        "no more than 10 items allowed",
    ),
    (
        "radio options",
        "modal",
        modal(_input({"type": "radio_buttons", "options": OPTIONS_101[:11]}), submit=plain("Go")),
        "no more than 10 items allowed",
    ),
    (
        "placeholder",
        "modal",
        modal(_input({"type": "plain_text_input", "placeholder": plain("p" * 151)}), submit=plain("Go")),
        "must be less than 151 characters",
    ),
    (
        "max_length 0",
        "modal",
        modal(_input({"type": "plain_text_input", "max_length": 0}), submit=plain("Go")),
        "must be at least 1 [json-pointer:/view/blocks/0/element/max_length]",
    ),
    (
        "max_length 3001",
        "modal",
        modal(_input({"type": "plain_text_input", "max_length": 3001}), submit=plain("Go")),
        "must be at most 3000",
    ),
    (
        "min_length > max_length",
        "modal",
        modal(_input({"type": "plain_text_input", "min_length": 10, "max_length": 5}), submit=plain("Go")),
        "min_length must not be greater than max_length",
    ),
    (
        "empty text",
        "message",
        {"blocks": [{"type": "context", "elements": [plain("")]}]},
        "must be more than 0 characters [json-pointer:/blocks/0/elements/0/text]",
    ),
    (
        "initial option not an option",
        "modal",
        modal(
            _input({"type": "static_select", "options": [option("a")], "initial_option": option("b")}),
            submit=plain("Go"),
        ),
        "initial_option must match one of the options",
    ),
    (
        "unknown field",
        "message",
        {"blocks": [section("x", colour="red")]},
        "invalid additional property: colour",
    ),
    ("unknown block type", "message", {"blocks": [{"type": "sektion"}]}, "unsupported type: sektion"),
    (
        "section without text",
        "message",
        {"blocks": [{"type": "section"}]},
        "must define either `text` or `fields` [json-pointer:/blocks/0]",
    ),
    ("view too large", "modal", modal(*[section("x" * 2900) for _ in range(90)]), "view_too_large"),
]


@pytest.mark.parametrize(("kind", "payload", "expected"), [c[1:] for c in LIMITS], ids=[c[0] for c in LIMITS])
def test_each_block_kit_limit_is_reported(kind: Any, payload: dict[str, Any], expected: str) -> None:
    found = problems(kind, payload)
    assert any(expected in p for p in found), found


def test_valid_payloads_have_no_problems() -> None:
    form = modal(
        _input(
            {
                "type": "static_select",
                "action_id": "s",
                "options": [option("a"), option("b")],
                "initial_option": option("a"),
                "placeholder": plain("Pick"),
            },
            block_id="pick",
        ),
        _input({"type": "plain_text_input", "action_id": "t", "max_length": 3000, "min_length": 0}),
        submit=plain("Save"),
        close=plain("Cancel"),
        private_metadata="m" * 3000,
    )
    assert problems("modal", form) == []
    assert problems("message", {"text": "x", "blocks": [{"type": "divider"}] * 50}) == []
    assert problems("home", {"type": "home", "blocks": [section("hi")]}) == []


def test_view_limits_are_enforced_by_the_api_too(fake: FakeSlack, client: WebClient) -> None:
    err = slack_error(
        client.views_open,
        trigger_id=fake.new_trigger_id("T1", "U1"),
        view=modal(_input({"type": "plain_text_input"})),
    )
    assert err.response["response_metadata"]["messages"] == [
        "[ERROR] must define `submit` to use an `input` block in modals [json-pointer:/view/blocks/0/input]"
    ]


# ---------------------------------------------------------------- response_url and files


def test_response_url_allows_five_posts(fake: FakeSlack) -> None:
    url = fake.new_response_url()
    hook = WebhookClient(url)
    for n in range(5):
        assert hook.send(text=f"post {n}").status_code == 200
    used = hook.send(text="sixth")
    assert (used.status_code, used.body) == (404, "used_url")
    assert [p["text"] for p in fake.response_url_posts_to(url)] == [f"post {n}" for n in range(5)]


def test_response_url_expires_after_thirty_minutes(fake: FakeSlack, clock: Clock) -> None:
    hook = WebhookClient(fake.new_response_url())
    clock.advance(30 * 60 + 1)
    assert hook.send(text="late").status_code == 404
    assert fake.response_url_posts == []


def test_files_upload_v2_records_the_content(fake: FakeSlack, client: WebClient) -> None:
    answer = client.files_upload_v2(
        channel="C1", content="a,b\n1,2\n", filename="pairs.csv", title="Pairs", initial_comment="This round"
    )
    [file] = fake.files.values()
    assert (file["id"], file["content"], file["title"], file["channels"]) == (
        answer["file"]["id"],
        b"a,b\n1,2\n",
        "Pairs",
        ["C1"],
    )
    assert fake.messages("C1")[0]["text"] == "This round"


def test_reset_keeps_the_directory(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="U1", text="x")
    fake.reset()
    assert fake.calls == [] and fake.messages("C1") == [] and fake.dm_channel("T1", ["U1"]) is None
    assert client.users_info(user="U1")["user"]["name"] == "ann"


# ---------------------------------------------------------------- signed inbound requests


def test_signature_verifies_with_slack_sdk() -> None:
    request = sr.slash_command(
        SECRET, team_id="T1", user_id="U1", text="join", trigger_id="1.2.x", response_url="http://r"
    )
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(request.body, request.headers)
    assert not SignatureVerifier("wrong").is_valid_request(request.body, request.headers)
    assert SignatureVerifier("s").generate_signature(timestamp="1", body=b"b") == sr.sign("s", "1", b"b")


def test_slash_command_fields_are_slacks() -> None:
    fields = sr.slash_command(
        SECRET, team_id="T1", user_id="U1", text="join now", trigger_id="1.2.x", response_url="http://r"
    ).payload()
    assert list(fields) == [
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    ]
    assert (fields["command"], fields["text"], fields["is_enterprise_install"]) == (
        "/peer-mentor",
        "join now",
        "false",
    )


def test_event_callback_retry_headers_and_envelope() -> None:
    request = sr.event_callback(
        SECRET,
        team_id="T1",
        event={"type": "app_home_opened", "user": "U1"},
        event_id="Ev1",
        retry_num=1,
        retry_reason="http_timeout",
    )
    assert (request.headers["X-Slack-Retry-Num"], request.headers["X-Slack-Retry-Reason"]) == (
        "1",
        "http_timeout",
    )
    envelope = request.payload()
    assert (envelope["type"], envelope["event_id"], envelope["authorizations"][0]["user_id"]) == (
        "event_callback",
        "Ev1",
        "UBOT",
    )
    assert SignatureVerifier(SECRET).is_valid_request(request.body, request.headers)
    assert sr.url_verification(SECRET, "abc").payload()["challenge"] == "abc"


def test_state_values_from_a_stored_view(fake: FakeSlack, client: WebClient) -> None:
    view = modal(
        _input({"type": "plain_text_input", "action_id": "goal"}, block_id="goal"),
        _input(
            {
                "type": "static_select",
                "action_id": "topic",
                "options": [option("py", "Python"), option("go")],
            },
            block_id="topic",
        ),
        _input(
            {"type": "checkboxes", "action_id": "days", "options": [option("mon"), option("tue")]},
            block_id="days",
        ),
        _input(
            {
                "type": "radio_buttons",
                "action_id": "size",
                "options": [option("s"), option("m")],
                "initial_option": option("m"),
            },
            block_id="size",
        ),
        _input(
            {"type": "multi_static_select", "action_id": "langs", "options": [option("en"), option("fr")]}
        ),
        submit=plain("Save"),
    )
    stored = client.views_open(trigger_id=fake.new_trigger_id("T1", "U1"), view=view)["view"]
    values = sr.state_values(stored, {"topic": "py", "days": ["tue"]})
    langs_block = stored["blocks"][4]["block_id"]
    assert values == {
        "goal": {"goal": {"type": "plain_text_input", "value": None}},
        "topic": {"topic": {"type": "static_select", "selected_option": option("py", "Python")}},
        "days": {"days": {"type": "checkboxes", "selected_options": [option("tue")]}},
        "size": {"size": {"type": "radio_buttons", "selected_option": option("m")}},
        langs_block: {"langs": {"type": "multi_static_select", "selected_options": []}},
    }
    with pytest.raises(ValueError, match="not an option"):
        sr.state_values(stored, {"topic": "rust"})
    with pytest.raises(ValueError, match="not in the view"):
        sr.state_values(stored, {"typo": "x"})
    by_block = sr.state_values(stored, {"topic": {"topic": "go"}, "goal": {"goal": "Ship it"}})
    assert by_block["topic"]["topic"]["selected_option"] == option("go")
    assert by_block["goal"]["goal"]["value"] == "Ship it"


def test_state_values_needs_block_ids_when_an_action_id_repeats() -> None:
    shared = modal(
        _input({"type": "plain_text_input", "action_id": "value"}, block_id="team"),
        _input({"type": "static_select", "action_id": "value", "options": [option("m")]}, block_id="often"),
        submit=plain("Save"),
    )
    with pytest.raises(ValueError, match="answer by block_id"):
        sr.state_values(shared, {"value": "x"})
    values = sr.state_values(shared, {"team": {"value": "Payments"}, "often": {"value": "m"}})
    assert values == {
        "team": {"value": {"type": "plain_text_input", "value": "Payments"}},
        "often": {"value": {"type": "static_select", "selected_option": option("m")}},
    }


def test_whole_app_flow_through_bolt(fake: FakeSlack, client: WebClient) -> None:
    """A real Bolt app, signed requests in, the fake out: command -> modal -> submission -> DM."""
    app = App(client=client, signing_secret=SECRET)
    form = modal(
        _input({"type": "plain_text_input", "action_id": "goal"}, block_id="goal"),
        submit=plain("Save"),
        callback_id="goal_form",
    )

    @app.command("/peer-mentor")
    def open_form(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=form)

    @app.view("goal_form")
    def save_goal(ack: Any, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        goal = view["state"]["values"]["goal"]["goal"]["value"]
        if len(goal) < 3:
            ack(response_action="errors", errors={"goal": "A little longer, please"})
            return
        ack()
        client.chat_postMessage(channel=body["user"]["id"], text=f"Saved: {goal}")

    command = sr.slash_command(
        SECRET,
        team_id="T1",
        user_id="U1",
        text="",
        trigger_id=fake.new_trigger_id("T1", "U1"),
        response_url=fake.new_response_url(),
    )
    assert app.dispatch(bolt_request(command)).status == 200
    [opened] = fake.wait_for("views.open")
    stored = fake.views[opened.response["view"]["id"]]

    short = sr.view_submission(
        SECRET,
        team_id="T1",
        user_id="U1",
        view=stored,
        values=sr.state_values(stored, {"goal": "hi"}),
        trigger_id=fake.new_trigger_id("T1", "U1"),
    )
    answer = app.dispatch(bolt_request(short))
    fake.complete_view_submission(stored["id"], json.loads(answer.body or "{}"))
    assert len(fake.open_modal_stack("T1", "U1")) == 1

    good = sr.view_submission(
        SECRET,
        team_id="T1",
        user_id="U1",
        view=stored,
        values=sr.state_values(stored, {"goal": "learn Rust"}),
        trigger_id=fake.new_trigger_id("T1", "U1"),
    )
    answer = app.dispatch(bolt_request(good))
    fake.complete_view_submission(stored["id"], json.loads(answer.body or "{}"))
    fake.wait_for("chat.postMessage", lambda c: c.args["channel"] == "U1")
    dm = fake.dm_channel("T1", ["U1"])
    assert dm is not None and fake.messages(dm)[0]["text"] == "Saved: learn Rust"
    assert fake.open_modal_stack("T1", "U1") == []


def test_block_actions_from_a_message_reach_a_bolt_listener(fake: FakeSlack, client: WebClient) -> None:
    button = {"type": "button", "text": plain("Meet"), "action_id": "meet", "value": "pair-7"}
    posted = client.chat_postMessage(
        channel="C1", text="Your pair", blocks=[{"type": "actions", "block_id": "pair", "elements": [button]}]
    )
    [message] = fake.messages("C1")
    request = sr.block_actions(
        SECRET,
        team_id="T1",
        user_id="U1",
        action_id="meet",
        block_id="pair",
        value="pair-7",
        trigger_id=fake.new_trigger_id("T1", "U1"),
        response_url=fake.new_response_url(),
        container=sr.message_container("C1", posted["ts"]),
        message=message,
    )
    payload = request.payload()
    assert (payload["type"], payload["user"]["id"], payload["team"]["id"], payload["channel"]["id"]) == (
        "block_actions",
        "U1",
        "T1",
        "C1",
    )
    [action] = payload["actions"]
    assert (action["type"], action["text"], action["value"], action["block_id"]) == (
        "button",
        plain("Meet"),
        "pair-7",
        "pair",
    )

    app = App(client=client, signing_secret=SECRET)

    @app.action("meet")
    def meet(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(
            trigger_id=body["trigger_id"], view=modal(private_metadata=body["actions"][0]["value"])
        )

    assert app.dispatch(bolt_request(request)).status == 200
    fake.wait_for("views.open")
    assert fake.open_modal_stack("T1", "U1")[0]["private_metadata"] == "pair-7"


def test_select_in_a_view_resolves_the_option(fake: FakeSlack, client: WebClient) -> None:
    select = {
        "type": "static_select",
        "action_id": "topic",
        "options": [option("py", "Python"), option("go")],
    }
    stored = client.views_open(
        trigger_id=fake.new_trigger_id("T1", "U1"),
        view=modal({"type": "actions", "block_id": "b", "elements": [select]}),
    )["view"]
    payload = sr.block_actions(
        SECRET,
        team_id="T1",
        user_id="U1",
        action_id="topic",
        block_id="b",
        selected_option="py",
        trigger_id="1.2.x",
        container=sr.view_container(stored),
        view=stored,
    ).payload()
    assert payload["actions"][0]["selected_option"] == option("py", "Python")
    assert payload["container"] == {"type": "view", "view_id": stored["id"]}
    assert "response_url" not in payload and payload["view"]["id"] == stored["id"]
    closed = sr.view_closed(SECRET, team_id="T1", user_id="U1", view=stored, is_cleared=True).payload()
    assert (closed["type"], closed["is_cleared"]) == ("view_closed", True)


def test_get_with_query_string(fake: FakeSlack) -> None:
    request = urllib.request.Request(
        fake.api_url + "users.info?user=U2", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with urllib.request.urlopen(request) as response:
        assert json.loads(response.read())["user"]["name"] == "bob"


def test_the_install_holds_exactly_the_manifests_bot_scopes(fake: FakeSlack) -> None:
    from bot.emulator.scopes import manifest_bot_scopes

    assert fake.granted_scopes == manifest_bot_scopes() and "chat:write" in fake.granted_scopes


@pytest.mark.parametrize(
    ("removed", "call", "kwargs"),
    [
        ("chat:write", "chat_postMessage", {"channel": "C1", "text": "hi"}),
        ("users:read", "users_info", {"user": "U1"}),
        ("im:write", "conversations_open", {"users": "U1"}),
        ("mpim:write", "conversations_open", {"users": "U1,U2"}),
        ("channels:read", "conversations_members", {"channel": "C1"}),
    ],
)
def test_a_call_without_its_scope_answers_missing_scope(
    fake: FakeSlack, client: WebClient, removed: str, call: str, kwargs: dict[str, Any]
) -> None:
    fake.set_scopes(fake.granted_scopes - {removed})
    error = slack_error(getattr(client, call), **kwargs)
    assert error.response["error"] == "missing_scope"
    assert error.response["needed"] == removed
    provided = error.response["provided"].split(",")
    assert removed not in provided and "commands" in provided
    fake.set_scopes(fake.granted_scopes | {removed})
    assert getattr(client, call)(**kwargs)["ok"] is True


def test_the_scope_follows_the_conversations_type(fake: FakeSlack, client: WebClient) -> None:
    channel = client.conversations_open(users="U1")["channel"]["id"]
    fake.set_scopes(fake.granted_scopes - {"im:history"})
    error = slack_error(client.conversations_history, channel=channel)
    assert (error.response["error"], error.response["needed"]) == ("missing_scope", "im:history")
    # The manifest asks for no channels:history: the app never reads a channel's messages.
    assert slack_error(client.conversations_history, channel="C1").response["needed"] == "channels:history"


def test_every_method_the_emulator_implements_has_a_scope_entry() -> None:
    from bot.emulator.context import METHODS
    from bot.emulator.scopes import BY_CONVERSATION_TYPE, FIXED_SCOPES, NO_SCOPE, SCOPE_RULES

    known = NO_SCOPE | set(FIXED_SCOPES) | set(BY_CONVERSATION_TYPE) | set(SCOPE_RULES)
    assert set(METHODS) - known == set()


@pytest.mark.parametrize("error", ["token_revoked", "account_inactive", "invalid_auth"])
def test_a_refused_token_answers_its_error_for_every_method(
    fake: FakeSlack, client: WebClient, error: str
) -> None:
    fake.revoke_token(TOKEN, error=error)
    assert slack_error(client.auth_test).response["error"] == error
    assert slack_error(client.chat_postMessage, channel="C1", text="hi").response["error"] == error


def test_the_messages_tab_follows_the_manifest(fake: FakeSlack, client: WebClient) -> None:
    from bot.emulator.scopes import load_manifest

    app_home = load_manifest()["features"]["app_home"]
    # Read-only: people cannot type there, the app can still post.
    assert app_home["messages_tab_enabled"] is True and app_home["messages_tab_read_only_enabled"] is True
    assert client.chat_postMessage(channel="U1", text="hello")["ok"] is True
    fake.set_messages_tab(enabled=False)
    assert slack_error(client.chat_postMessage, channel="U1", text="again").response["error"] == (
        "messages_tab_disabled"
    )
    assert client.chat_postMessage(channel="C1", text="a channel is not the tab")["ok"] is True


def test_tiers_limit_each_method_per_minute(fake: FakeSlack, client: WebClient, clock: Clock) -> None:
    fake.set_tiers(on=True)
    for _ in range(20):  # users.list is Tier 2: 20 a minute
        client.users_list()
    error = slack_error(client.users_list)
    assert error.response.status_code == 429 and error.response["error"] == "ratelimited"
    assert int(error.response.headers["Retry-After"]) >= 1
    assert client.users_info(user="U1")["ok"] is True  # another method, another limit
    clock.advance(61)
    assert client.users_list()["ok"] is True
    fake.set_tiers(on=False)
    for _ in range(30):
        client.users_list()


def test_post_message_allows_a_short_burst_then_one_a_second_per_channel(
    fake: FakeSlack, client: WebClient, clock: Clock
) -> None:
    from bot.emulator.limits import BURST

    fake.set_tiers(on=True)
    for n in range(BURST):
        client.chat_postMessage(channel="C1", text=f"burst {n}")
    error = slack_error(client.chat_postMessage, channel="C1", text="one too many")
    assert error.response.status_code == 429 and error.response.headers["Retry-After"] == "1"
    assert client.chat_postMessage(channel="U1", text="another channel")["ok"] is True
    clock.advance(1)
    assert client.chat_postMessage(channel="C1", text="a second later")["ok"] is True
    assert [m["text"] for m in fake.messages("C1")][-1] == "a second later"
    assert "one too many" not in [m["text"] for m in fake.messages("C1")]
