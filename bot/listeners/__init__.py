"""Bolt listeners: the only code (with jobs) that talks to Slack and owns transactions."""

from slack_bolt import App

from bot.listeners import (
    actions,
    admin,
    checkins,
    commands,
    errors,
    events,
    ground_rules,
    matching,
    privacy,
    summaries,
    views,
)


def register_listeners(app: App) -> None:
    commands.register(app)
    actions.register(app)
    views.register(app)
    ground_rules.register(app)
    matching.register(app)
    checkins.register(app)
    admin.register(app)
    privacy.register(app)
    summaries.register(app)
    events.register(app)
    errors.register(app)
