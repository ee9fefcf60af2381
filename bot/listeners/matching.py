"""Matching: `/peer-mentor match` (admins: preview, then confirm) and `/peer-mentor rematch`."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError

from bot.ids import MatchAction, MatchCallback
from bot.listeners.admin_check import CHECK_FAILED, admin_after_ack, admin_now
from bot.listeners.after_ack import after_ack
from bot.listeners.commands import CommandCall, route
from bot.listeners.deps import Deps, deps_of, team_of, user_of
from bot.listeners.surfaces import tell
from bot.services.errors import DomainError
from bot.services.matching import announce
from bot.services.matching.pairs import current_pair
from bot.services.matching.planner import OddPerson
from bot.services.matching.rounds import (
    AlreadyConfirmed,
    ConfirmedRound,
    confirmed_round,
    new_seed,
    preview_round,
    run_round,
)
from bot.services.profiles import ensure_workspace
from bot.services.program import program_settings
from bot.ui import matching as ui
from bot.ui.notice import notice_modal


@route("match")
def preview_match(call: CommandCall) -> None:
    known = admin_now(call.deps, call.team_id, call.user_id)
    if known is False:
        call.ack(text=ui.refused_text())
        return
    call.ack()

    def open_preview() -> None:
        # Open at once (the trigger lives 3 s); a large pool takes a moment to match, and
        # Slack may first have to say whether this person is an admin.
        opened = call.client.views_open(trigger_id=call.body["trigger_id"], view=ui.preparing_modal())
        view_id = opened["view"]["id"]
        if known is None and not _still_admin(call.deps, call.client, call.team_id, call.user_id, view_id):
            return
        with call.deps.session_factory.begin() as session:
            program = program_settings(session=session, team_id=call.team_id)
            plan = preview_round(
                session=session,
                team_id=call.team_id,
                now=call.deps.clock(),
                seed=new_seed(),
                forbid_same_team=program.forbid_same_team,
                odd_person=_odd_person(program.odd_person),
            )
        call.client.views_update(view_id=view_id, view=ui.preview_modal(plan))

    after_ack(call.deps, call.body, call.client, open_preview)


def _still_admin(deps: Deps, client: WebClient, team_id: str, user_id: str, view_id: str) -> bool:
    """Ask Slack after the ack; a modal shown meanwhile says why they can't go on, if not."""
    is_admin = admin_after_ack(deps, client, team_id, user_id)
    if not is_admin:
        text = CHECK_FAILED if is_admin is None else ui.refused_text()
        client.views_update(view_id=view_id, view=notice_modal("Matching round", text))
    return bool(is_admin)


def handle_match_confirmed(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    seed = ui.read_seed(body["view"].get("private_metadata", ""))
    known = admin_now(deps, team_id, user_id)
    if seed is None or known is False:
        ack(response_action="update", view=notice_modal("Matching round", ui.refused_text()))
        return
    ack(response_action="update", view=ui.preparing_modal())
    view_id = body["view"]["id"]

    def run() -> None:
        if known is None and not _still_admin(deps, client, team_id, user_id, view_id):
            return
        now = deps.clock()
        try:
            with deps.session_factory.begin() as session:
                ensure_workspace(session=session, team_id=team_id, now=now)
                program = program_settings(session=session, team_id=team_id)
                result = run_round(
                    session=session,
                    team_id=team_id,
                    now=now,
                    seed=seed,
                    forbid_same_team=program.forbid_same_team,
                    odd_person=_odd_person(program.odd_person),
                    trigger="admin",
                    preview_id=view_id,
                )
                announce.plan_round_announcements(session=session, team_id=team_id, result=result, now=now)
        except AlreadyConfirmed as done:
            client.views_update(view_id=view_id, view=_already_confirmed(done.round))
            return
        except IntegrityError:
            # Confirmed at the same instant by another request, which stored its round first.
            with deps.session_factory.begin() as session:
                first = confirmed_round(session=session, team_id=team_id, preview_id=view_id)
            if first is None:
                raise
            client.views_update(view_id=view_id, view=_already_confirmed(first))
            return
        view = ui.result_modal(
            pairs=result.plan.pair_count, trios=result.plan.trio_count, waitlisted=len(result.waitlisted)
        )
        client.views_update(view_id=view_id, view=view)

    after_ack(deps, body, client, run)


@route("rematch")
def confirm_rematch(call: CommandCall) -> None:
    with call.deps.session_factory.begin() as session:
        pair = current_pair(session=session, team_id=call.team_id, user_id=call.user_id)
    if pair is None:
        # No promise of a round here: the person may have left the program or be paused.
        raise DomainError("You're not in a pair right now, so there's nothing to end.")
    text, blocks = ui.confirm_rematch(pair.peers_of(call.user_id))
    call.ack(text=text, blocks=blocks)


def handle_rematch_confirmed(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: Any
) -> None:
    """The typed `rematch` confirmation, and App Home's button (behind Slack's confirm dialog)."""
    deps, team_id, user_id = deps_of(context), team_of(body, context), user_of(body)
    with deps.session_factory.begin() as session:
        ended = announce.end_pairing(
            session=session, team_id=team_id, user_id=user_id, now=deps.clock(), reason="rematch"
        )
    ack()
    text = ui.rematched_text(ended.other_user_ids if ended else ())
    after_ack(deps, body, client, lambda: tell(body, client, respond, deps, team_id, user_id, text))


def handle_rematch_cancelled(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: Any
) -> None:
    ack()
    after_ack(deps_of(context), body, client, lambda: respond(text=ui.KEPT_PAIR, replace_original=True))


def _already_confirmed(done: ConfirmedRound) -> dict[str, Any]:
    return ui.already_confirmed_modal(
        confirmed_at=done.confirmed_at, pairs=done.pair_count, trios=done.trio_count
    )


def _odd_person(setting: str) -> OddPerson:
    return "waitlist" if setting == "waitlist" else "trio"


def register(app: App) -> None:
    app.view(MatchCallback.PREVIEW)(handle_match_confirmed)
    app.action(MatchAction.REMATCH_CONFIRMED)(handle_rematch_confirmed)
    app.action(MatchAction.REMATCH_CANCELLED)(handle_rematch_cancelled)
