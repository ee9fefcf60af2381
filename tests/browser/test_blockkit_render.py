"""The page's Block Kit renderer on everything the real app showed during the tour: every
block and element renders, and a form read back untouched is the state Slack would send."""

from __future__ import annotations

from typing import Any

from bot.emulator import signed_requests as sr
from bot.sandbox.runner import Sandbox
from tests.sandbox.tour import play, surfaces

RENDER_ALL = """
(surfaces) => {
  const S = window.Sandbox.state;
  const people = Object.fromEntries(S.screen.people.map((p) => [p.id, p]));
  const channels = Object.fromEntries(S.screen.channels.map((c) => [c.id, c]));
  const ctx = { people, channels, tz: "Europe/Lisbon", now: new Date(), me: S.user, conversations: S.screen.conversations };
  return surfaces.map(([kind, payload]) => {
    const root = document.createElement("div");
    root.append(window.BlockKit.render(payload.blocks || [], ctx));
    if (!(payload.blocks || []).length) root.innerHTML = window.BlockKit.mrkdwn(payload.text || "", ctx);
    document.body.append(root);
    const out = {
      kind,
      unsupported: [...root.querySelectorAll(".bk-unsupported")].map((n) => n.textContent),
      blocks: root.querySelectorAll(".bk-block").length,
      text: root.innerText,
      answers: kind === "stored" ? window.BlockKit.collect(root, ctx) : null,
      complaints: kind === "stored" ? window.BlockKit.validate(root, payload, ctx) : null,
    };
    root.remove();
    return out;
  });
}
"""


def test_everything_the_app_showed_renders_and_reads_back(page: Any, sandbox: Sandbox) -> None:
    tour = play(sandbox)
    assert tour.missing == [], f"not built yet: {tour.missing}"
    shown = surfaces(sandbox)
    page.wait_for_function("window.Sandbox && window.Sandbox.state.screen")
    results = page.evaluate(RENDER_ALL, [[kind, payload] for kind, payload in shown])
    assert len(results) == len(shown) > 50
    for (kind, payload), result in zip(shown, results, strict=True):
        assert result["unsupported"] == [], (kind, result["unsupported"])
        assert result["blocks"] == len(payload.get("blocks") or []), kind
        if kind == "stored" and payload["type"] == "modal":
            # Read back untouched, the form is what Slack sends for it: its initial values.
            inputs = {b["block_id"] for b in payload["blocks"] if b["type"] == "input"}
            assert set(result["answers"]) == inputs
            assert sr.state_values(payload, result["answers"]) == sr.state_values(payload, {})


MRKDWN = """
(cases) => {
  const ctx = {
    people: { U1: { id: "U1", real_name: "Ana Costa", name: "ana" } },
    channels: { C1: { id: "C1", name: "product-eng" } },
    tz: "Europe/Lisbon",
    now: new Date(Date.UTC(2026, 2, 4, 12)),
  };
  return cases.map((text) => window.BlockKit.mrkdwn(text, ctx));
}
"""


def test_mrkdwn_reads_as_slack_shows_it(page: Any) -> None:
    page.wait_for_function("window.BlockKit")
    cases = {
        "*bold* _italic_ ~gone~ `code`": "<b>bold</b> <i>italic</i> <s>gone</s> <code>code</code>",
        "Hi <@U1> in <#C1> and <#C9|other>": (
            'Hi <span class="bk-mention" data-user="U1">@Ana Costa</span> in '
            '<span class="bk-mention bk-channel" data-channel="C1">#product-eng</span> and '
            '<span class="bk-mention bk-channel" data-channel="C9">#other</span>'
        ),
        "Salaries &amp; &lt;reorgs&gt;": "Salaries &amp; &lt;reorgs&gt;",
        "<https://example.com/a?b=1|the docs> :wave:": (
            '<a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer">the docs</a> 👋'
        ),
        "a_b_c and 2*3*4": "a_b_c and 2*3*4",
        "line one\n&gt; quoted": 'line one<br><span class="bk-quote">quoted</span>',
        "```*not bold*```": '<pre class="bk-pre">*not bold*</pre>',
    }
    rendered = page.evaluate(MRKDWN, list(cases))
    for (text, expected), got in zip(cases.items(), rendered, strict=True):
        assert got == expected, (text, got)
    [date] = page.evaluate(MRKDWN, ["<!date^1772798400^{date_long} at {time}|6 Mar>"])
    assert "Friday, March 6th, 2026 at 12:00 PM" in date  # in the reader's zone (Lisbon = UTC in March)
