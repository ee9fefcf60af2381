"""A local Slack emulator: a faithful fake of Slack's Web API over real HTTP on 127.0.0.1.

The whole-app tests run the real app against it; it is not part of the app itself (nothing in
the app's layers imports it). `signed_requests` builds what Slack sends to the app, and
`driver.SlackDriver` plays a person: commands, clicks, modal submissions, App Home.

    fake = FakeSlack(clock=clock).start()
    fake.add_workspace("T1", token="xoxb-1")
    fake.add_user("T1", "U1", name="ann")
    client = WebClient(token="xoxb-1", base_url=fake.api_url)
    ...
    fake.wait_for("chat.postMessage", lambda c: c.args["channel"] == "U1")

Modules: fake.py (FakeSlack: set-up, failure injection, inspection), server.py (HTTP),
context.py (per-call context, pagination), api_*.py (the methods), state.py (data),
blockkit.py (`problems()`: Block Kit validation with Slack's error wording), client_side.py
(what a person's client shows: command replies, response_url posts applied, their
conversations; used by the sandbox, bot/sandbox).
"""

from .blockkit import problems
from .fake import Call, FakeSlack

__all__ = ["Call", "FakeSlack", "problems"]
