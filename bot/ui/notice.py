"""A one-message modal, used when a submission can't go ahead."""

from __future__ import annotations

from slack_sdk.models.views import View

from bot.ui.kit import section


def notice_modal(title: str, text: str) -> dict:
    return View(type="modal", title=title, close="Close", blocks=[section(text)]).to_dict()
