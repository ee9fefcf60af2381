"""The sandbox through its page's JSON API: the real app answering, seen as each person sees it."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator.driver import texts
from bot.sandbox.people import ADMIN, EMPLOYEES, GENERAL, MANAGER, TEAM_CHANNEL, TEAM_ID
from bot.sandbox.runner import Sandbox
from tests.sandbox.conftest import START, PageApi

ANA = EMPLOYEES[0].user_id


def test_the_page_and_its_files_are_served_locally(page_api: PageApi) -> None:
    status, headers, body = page_api.get("")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    for asset in ("/static/sandbox.css", "/static/blockkit.js", "/static/sandbox.js", "/static/favicon.svg"):
        assert asset in body.decode()
        assert page_api.get(asset.lstrip("/"))[0] == 200
    # Nothing comes from elsewhere: no external URL in any file the page loads.
    for name in ("index.html", "sandbox.css", "blockkit.js", "sandbox.js"):
        text = page_api.get(f"static/{name}")[2].decode() if name != "index.html" else body.decode()
        assert "http://" not in text and "https://" not in text.replace("https://{", "")
    assert page_api.get("static/../server.py")[0] == 404
    assert page_api.get("nowhere")[0] == 404


def test_the_demo_workspace(page_api: PageApi) -> None:
    screen = page_api.screen(ANA)
    people = {p["id"]: p for p in screen["people"]}
    roles = [p["role"] for p in people.values() if not p["is_bot"]]
    assert roles.count("employee") == 12 and roles.count("manager") == 1 and roles.count("admin") == 1
    assert people[ADMIN.user_id]["is_admin"] is True
    assert len({p["team"] for p in people.values() if p["role"] == "employee"}) >= 5
    assert len({p["tz"] for p in people.values() if not p["is_bot"]}) >= 8
    kinds = [(c["kind"], c["name"]) for c in screen["conversations"]]
    assert kinds[0][0] == "im" and ("channel", "general") in kinds and ("channel", "product-eng") in kinds
    assert screen["clock"]["now"].startswith(START.date().isoformat())


def test_the_admin_named_the_manager_through_the_settings_modal(sandbox: Sandbox) -> None:
    [opened] = [c for c in sandbox.fake.calls_to("views.open") if c.ok]
    assert opened.args["trigger_id"]  # opened by `/peer-mentor admin`, not written to the database
    dm = sandbox.fake.open_app_dm(TEAM_ID, ADMIN.user_id)
    sandbox.fake.wait_for("chat.postMessage", lambda c: c.response["channel"] == dm)
    assert "settings saved" in texts(sandbox.fake.messages(dm)[-1]).lower()
    assert sandbox.notes in ([], [n for n in sandbox.notes if "schema" in n])


def test_a_command_reply_shows_as_ephemeral_and_etags_spare_the_page(page_api: PageApi) -> None:
    before = page_api.get(f"sandbox/api/screen?user={ANA}")
    tag = before[1]["ETag"]
    assert page_api.get(f"sandbox/api/screen?user={ANA}", {"If-None-Match": tag})[0] == 304
    reply = page_api.post("command", {"user": ANA, "channel": GENERAL, "text": "help"})
    assert reply["status"] == 200 and "error" not in reply
    screen = page_api.screen(ANA)
    [help_reply] = screen["ephemeral"]
    assert help_reply["channel"] == GENERAL and "/peer-mentor join" in texts(help_reply)
    assert page_api.screen(EMPLOYEES[1].user_id)["ephemeral"] == []  # only Ana sees it
    assert page_api.get(f"sandbox/api/screen?user={ANA}", {"If-None-Match": tag})[0] == 200


def test_joining_through_the_modal_and_the_home_tab(page_api: PageApi, sandbox: Sandbox) -> None:
    page_api.post("home", {"user": ANA})
    home = sandbox.fake.wait_for("views.publish", lambda c: c.args["user_id"] == ANA)[-1].response["view"]
    block_id = next(b["block_id"] for b in home["blocks"] if b["type"] == "actions")
    action_id = home["blocks"][[b["block_id"] for b in home["blocks"]].index(block_id)]["elements"][0][
        "action_id"
    ]
    click = page_api.post(
        "action",
        {
            "user": ANA,
            "block_id": block_id,
            "action_id": action_id,
            "where": {"kind": "view", "view_id": home["id"]},
        },
    )
    assert click["status"] == 200
    modal = sandbox.fake.wait_for("views.open", lambda c: c.team_id == TEAM_ID, count=2)[-1].response["view"]
    assert modal["title"]["text"] == "Join peer mentoring"
    # An empty form: Slack's client would refuse it; the app refuses what gets through.
    refused = page_api.post("submit", {"user": ANA, "view_id": modal["id"], "answers": {}})
    assert refused["errors"] and page_api.screen(ANA)["modals"][-1]["id"] == modal["id"]
    gone = page_api.post("submit", {"user": ANA, "view_id": "V404", "answers": {}}, expect=400)
    assert "not open" in gone["error"]


def test_fill_joins_everyone_through_the_join_modal_once(page_api: PageApi, sandbox: Sandbox) -> None:
    result = page_api.post("fill", {})
    assert sorted(result["joined"]) == sorted(p.user_id for p in EMPLOYEES) and result["problems"] == {}
    join_modals = [
        c
        for c in sandbox.fake.calls_to("views.open")
        if c.response["view"]["title"]["text"] == "Join peer mentoring"
    ]
    assert len(join_modals) == len(EMPLOYEES)
    for person in EMPLOYEES:
        dm = sandbox.fake.open_app_dm(TEAM_ID, person.user_id)
        sandbox.fake.wait_for("chat.postMessage", lambda c, dm=dm: c.response["channel"] == dm)
        assert "Welcome to peer mentoring" in texts(sandbox.fake.messages(dm)[0])
    again = page_api.post("fill", {})
    assert again["joined"] == [] and sorted(again["already"]) == sorted(p.user_id for p in EMPLOYEES)
    assert all(not stack for stack in (sandbox.fake.open_modal_stack(TEAM_ID, p.user_id) for p in EMPLOYEES))


def test_advancing_the_clock_moves_the_app_and_runs_the_worker(page_api: PageApi, sandbox: Sandbox) -> None:
    result = page_api.post("advance", {"days": 1})
    assert result["ticks"] == 24 and sandbox.ticks.ticks == 24
    assert sandbox.clock.now() - START >= timedelta(days=1)
    # Requests are signed with the moved clock and the app checks them against its own: both moved.
    assert page_api.post("command", {"user": ANA, "channel": GENERAL, "text": "status"})["status"] == 200
    assert page_api.post("advance", {"weeks": 9}, expect=400)["error"]
    assert page_api.post("advance", {}, expect=400)["error"]


def test_plain_messages_and_unknown_people(page_api: PageApi, sandbox: Sandbox) -> None:
    page_api.post("say", {"user": MANAGER.user_id, "channel": TEAM_CHANNEL, "text": "Hello team"})
    assert [m["text"] for m in sandbox.fake.messages(TEAM_CHANNEL)] == ["Hello team"]
    assert (
        "not in that conversation"
        in page_api.post("say", {"user": "U0INES", "channel": TEAM_CHANNEL, "text": "Hi"}, expect=400)[
            "error"
        ]
    )
    assert "not in that conversation" in page_api.post(
        "command", {"user": "U0INES", "channel": TEAM_CHANNEL, "text": "summary"}, expect=400
    )["error"]
    assert page_api.post("command", {"user": "U404", "channel": GENERAL, "text": ""}, expect=400)["error"]
    assert page_api.get("sandbox/api/screen?user=U404")[0] == 400


def test_a_click_on_a_view_the_app_has_just_replaced_still_reaches_it(
    page_api: PageApi, sandbox: Sandbox
) -> None:
    """Slack fills in new block ids each time the app publishes a view without them; a page
    that still shows the previous version sends the old one."""
    page_api.post("home", {"user": ANA})
    first = sandbox.fake.wait_for("views.publish", lambda c: c.args["user_id"] == ANA)[-1].response["view"]
    page_api.post("home", {"user": ANA})
    sandbox.fake.wait_for("views.publish", lambda c: c.args["user_id"] == ANA, count=2)
    [actions] = [b for b in first["blocks"] if b["type"] == "actions"][:1]
    join = actions["elements"][0]
    where = {"kind": "view", "view_id": first["id"]}
    reply = page_api.post(
        "action",
        {"user": ANA, "block_id": actions["block_id"], "action_id": join["action_id"], "where": where},
    )
    assert reply["status"] == 200
    sandbox.fake.wait_for("views.open", lambda c: c.args["view"]["title"]["text"] == "Join peer mentoring")
    gone = {"user": ANA, "block_id": "nope", "action_id": "nope", "where": where}
    assert "not there any more" in page_api.post("action", gone, expect=400)["error"]


def test_the_data_export_shows_as_a_file_its_owner_can_download(page_api: PageApi, sandbox: Sandbox) -> None:
    import json

    page_api.post("command", {"user": ANA, "channel": GENERAL, "text": "export"})
    sandbox.fake.wait_for("files.completeUploadExternal", lambda c: c.team_id == TEAM_ID)
    [dm] = [c for c in page_api.screen(ANA)["conversations"] if c["kind"] == "im"]
    [shared] = [m for m in dm["messages"] if m.get("files")]
    [file] = shared["files"]
    assert file["title"] == "Everything Peer Mentor holds about you"
    status, headers, body = page_api.get(f"sandbox/api/file?user={ANA}&id={file['id']}")
    assert status == 200 and file["name"] in headers["Content-Disposition"]
    assert json.loads(body)["user_id"] == ANA  # the JSON file itself, readable
    # Only the person it was shared with can download it; an unknown file is not found.
    assert page_api.get(f"sandbox/api/file?user={EMPLOYEES[1].user_id}&id={file['id']}")[0] == 404
    assert page_api.get(f"sandbox/api/file?user={ANA}&id=F0NOPE")[0] == 404
    assert page_api.get(f"sandbox/api/file?user=U0NOBODY&id={file['id']}")[0] == 400
    # The page draws it as a file card with a download link.
    script = page_api.get("static/sandbox.js")[2].decode()
    assert "function fileCard(file)" in script and "/sandbox/api/file?user=" in script
