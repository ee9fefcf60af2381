"""Peer Mentor's entry point.

    python app.py            HTTP mode: Slack's requests at /slack/events on PORT (default 3000)
    SLACK_APP_TOKEN=xapp-…   Socket Mode instead: no public URL needed
    python app.py --sandbox  the sandbox: the real app and a local Slack emulator, in the browser
                             (also what `python app.py` starts when no SLACK_BOT_TOKEN is set)
    python app.py --slack    Slack only, never the sandbox (the Procfile's web process)

Configuration comes from the environment or a .env file; see README → Configuration.
"""

from __future__ import annotations

import logging
import sys

from bot.config import ConfigError, load_settings
from bot.logging_setup import configure_logging
from bot.runtime import build_runtime
from bot.sandbox.launch import sandbox_port, sandbox_reason

logger = logging.getLogger("peer_mentor")
WEB_THREADS = 24
GIL_SWITCH_SECONDS = 0.0005


def main() -> int:
    reason = sandbox_reason(sys.argv[1:])
    if reason is not None:
        from bot.sandbox.runner import run_sandbox

        return run_sandbox(reason=reason, port=sandbox_port())
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    runtime = build_runtime(settings)
    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        logger.info("Peer Mentor is running in Socket Mode")
        SocketModeHandler(runtime.bolt_app, settings.slack_app_token).start()
        return 0
    from waitress import serve

    # Acks wait on the GIL behind follow-up work (modals, DMs) on other threads; a shorter
    # switch interval than the default 5 ms hands it over sooner.
    sys.setswitchinterval(GIL_SWITCH_SECONDS)

    logger.info("Peer Mentor is listening on http://0.0.0.0:%d/slack/events", settings.port)
    # Each request thread waits for its listener's ack; enough of them keep acks fast under bursts.
    serve(runtime.web_app, host="0.0.0.0", port=settings.port, threads=WEB_THREADS, ident="peer-mentor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
