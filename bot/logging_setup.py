"""Logging, configured once by each entry point (web, worker)."""

from __future__ import annotations

import logging


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # At DEBUG, slack_sdk and slack_bolt log request and response bodies, which hold people's
    # own words. They never go below INFO, whatever LOG_LEVEL says.
    for name in ("slack_sdk", "slack_bolt", "waitress.queue"):
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger().level))
