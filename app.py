"""Peer Mentor's entry point.

    python app.py            HTTP mode: Slack's requests at /slack/events on PORT (default 3000)
    SLACK_APP_TOKEN=xapp-…   Socket Mode instead: no public URL needed
    python app.py --sandbox  the sandbox: the real app and a local Slack emulator, in the browser
                             (also what `python app.py` starts when no SLACK_BOT_TOKEN is set)
    python app.py --slack    Slack only, never the sandbox (the Procfile's web process)

Configuration comes from the environment or a .env file; see README → Configuration.
"""

from __future__ import annotations

import gc
import logging
import sys

from bot.config import ConfigError, load_settings
from bot.logging_setup import configure_logging
from bot.runtime import build_runtime
from bot.sandbox.launch import sandbox_port, sandbox_reason

logger = logging.getLogger("peer_mentor")


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
    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        runtime = build_runtime(settings)
        gc.freeze()  # as in bot/http_server.py: long-lived objects out of the collector's sight
        logger.info("Peer Mentor is running in Socket Mode")
        SocketModeHandler(runtime.bolt_app, settings.slack_app_token).start()
        return 0
    from bot.http_server import serve

    logger.info(
        "Peer Mentor is listening on http://0.0.0.0:%d/slack/events with %d web processes",
        settings.port,
        settings.web_processes,
    )
    serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
