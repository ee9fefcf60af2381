"""The sandbox: the real app, unchanged, beside the local Slack emulator, with a Slack-like
page in the browser. Try Peer Mentor without a Slack workspace.

    python app.py --sandbox        (or just `python app.py` when no Slack tokens are set)

Modules: runner (starts it all: database, emulator, app, page), clock (simulated time),
people (the demo workspace), slack_side (what Slack sends the app when a person acts),
forms (filling a modal in as a demo person would), server (the page and its JSON API),
static/ (the page: plain HTML, CSS and JavaScript, nothing fetched from elsewhere).

It knows the app only through its settings, its runtime (bot.runtime), its HTTP front door
and the worker's tick (bot.worker.tick); everything else happens through Slack's protocol.
"""
