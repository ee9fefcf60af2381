"""Modal submissions: validate, answer inline errors in the ack, store, confirm."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.ids import Block, Callback
from bot.listeners.after_ack import after_ack
from bot.listeners.deps import deps_of, team_of, user_of
from bot.listeners.surfaces import publish_home, send_dm
from bot.services import profiles
from bot.services.errors import InvalidInput
from bot.services.matching.next_step import next_round_at
from bot.services.status import participant_status
from bot.ui import messages
from bot.ui.pause_modal import read_pause_weeks
from bot.ui.profile_modal import OPENED_FROM_HOME, read_profile_answers


def handle_profile_submitted(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    answers = read_profile_answers(body["view"]["state"]["values"])
    try:
        valid = profiles.validate_answers(answers)
    except InvalidInput as invalid:
        ack(response_action="errors", errors=invalid.field_errors)
        return
    # Saved before the ack, so a person never sees the modal close on a profile that was lost;
    # no Slack call before the ack, so it stays fast. The time zone is usually known already
    # (opening the modal looked the person up); if not, it is filled in right after the ack.
    known = deps.directory.cached(team_id, user_id)
    with deps.session_factory.begin() as session:
        joined = profiles.save_profile(
            session=session,
            team_id=team_id,
            user_id=user_id,
            profile=valid,
            tz=known.tz if known else None,
            now=deps.clock(),
        )
    ack()

    def confirm() -> None:
        if known is None:
            slack_user = deps.directory.lookup(client, team_id, user_id)
            if slack_user is not None:
                with deps.session_factory.begin() as session:
                    profiles.set_timezone(session=session, team_id=team_id, user_id=user_id, tz=slack_user.tz)
        with deps.session_factory.begin() as session:
            upcoming = next_round_at(session=session, team_id=team_id, now=deps.clock()) if joined else None
        text, blocks = messages.profile_saved(joined=joined, next_round_at=upcoming)
        send_dm(client, user_id, text, blocks)
        if body["view"].get("private_metadata") == OPENED_FROM_HOME:
            publish_home(client, deps, team_id, user_id)

    after_ack(deps, body, client, confirm)


def handle_pause_submitted(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    valid, weeks = read_pause_weeks(body["view"]["state"]["values"])
    if not valid:
        ack(response_action="errors", errors={Block.PAUSE_LENGTH: "Choose how long to pause for."})
        return
    with deps.session_factory.begin() as session:
        profiles.pause(session=session, team_id=team_id, user_id=user_id, weeks=weeks, now=deps.clock())
        status = participant_status(session=session, team_id=team_id, user_id=user_id, now=deps.clock())
    ack()

    def confirm() -> None:
        send_dm(client, user_id, messages.paused(status))
        publish_home(client, deps, team_id, user_id)

    after_ack(deps, body, client, confirm)


def register(app: App) -> None:
    app.view(Callback.PROFILE_MODAL)(handle_profile_submitted)
    app.view(Callback.PAUSE_MODAL)(handle_pause_submitted)
