"""Bolt listeners: the only code (with jobs) that talks to Slack and owns transactions."""

from slack_bolt import App

from bot.listeners import actions, commands, errors, events, views


def register_listeners(app: App) -> None:
    commands.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
    errors.register(app)
