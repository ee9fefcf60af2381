"""views.open/push/update/publish, and what happens to a modal stack when the app acks a
view_submission (Slack applies the ack's response_action; the fake needs to be told)."""

from __future__ import annotations

import copy
from typing import Any

from . import blockkit
from .api_conversations import APP_ID
from .context import Ctx, api_method
from .normalize import normalize_blocks
from .state import MAX_MODAL_STACK, TRIGGER_TTL_S, ApiError, State, Trigger

# ---------------------------------------------------------------- shared steps


def _trigger(ctx: Ctx) -> Trigger:
    """The usable trigger named by the call; consumed by the caller only once the call succeeds."""
    trigger_id = ctx.opt("trigger_id") or ctx.opt("interactivity_pointer")
    if trigger_id is None:
        raise ApiError("invalid_arguments", messages=["missing required field: trigger_id"])
    trigger = ctx.state.triggers.get(trigger_id)
    if trigger is None or trigger.team_id not in ctx.team_ids:
        raise ApiError("invalid_trigger_id")
    ctx.team_id = trigger.team_id
    if trigger.used:
        raise ApiError("exchanged_trigger_id")
    if ctx.now - trigger.issued_at >= TRIGGER_TTL_S:
        raise ApiError("expired_trigger_id")
    return trigger


def _view_arg(ctx: Ctx, kind: blockkit.Kind) -> dict[str, Any]:
    view = ctx.json_arg("view")
    if not isinstance(view, dict):
        raise ApiError("invalid_arguments", messages=["missing required field: view"])
    if blockkit.view_size(view) > blockkit.MAX_VIEW_BYTES:
        raise ApiError("view_too_large")
    errors = blockkit.problems(kind, view)
    if errors:
        # Slack answers views.* with invalid_arguments (not invalid_blocks) and the details
        # in response_metadata.messages only.
        raise ApiError("invalid_arguments", messages=errors)
    return view


def _is_open(state: State, view_id: str) -> bool:
    return any(view_id in stack for stack in state.modal_stacks.values()) or (
        view_id in state.home_views.values()
    )


def _check_external_id(state: State, team_id: str, view: dict[str, Any], replacing: str | None) -> None:
    external_id = view.get("external_id")
    if not external_id:
        return
    for other in state.views.values():
        if (
            other["team_id"] == team_id
            and other.get("external_id") == external_id
            and other["id"] != replacing
            and _is_open(state, other["id"])
        ):
            raise ApiError("duplicate_external_id")


def _store(
    state: State,
    now: float,
    view: dict[str, Any],
    *,
    team_id: str,
    user_id: str,
    view_id: str | None = None,
    root_view_id: str | None = None,
    previous_view_id: str | None = None,
) -> dict[str, Any]:
    """The view as Slack keeps and returns it: ids, a fresh hash, empty state, defaults."""
    ws = state.workspaces[team_id]
    view_id = view_id or state.ids.new("V")
    stored = {
        "id": view_id,
        "team_id": team_id,
        "type": view["type"],
        "title": copy.deepcopy(view.get("title")),
        "close": copy.deepcopy(view.get("close")),
        "submit": copy.deepcopy(view.get("submit")),
        "blocks": normalize_blocks(view.get("blocks", []), state.ids),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "external_id": view.get("external_id", ""),
        "state": {"values": {}},
        "hash": f"{int(now)}.{state.ids.random_suffix(8)}",
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "root_view_id": root_view_id or view_id,
        "previous_view_id": previous_view_id,
        "app_id": APP_ID,
        "app_installed_team_id": team_id,
        "bot_id": ws.bot_id,
    }
    state.views[view_id] = stored
    state.view_owner[view_id] = (team_id, user_id)
    return stored


def _answer(view: dict[str, Any]) -> dict[str, Any]:
    return {"view": copy.deepcopy(view)}


# ---------------------------------------------------------------- methods


@api_method("views.open")
def views_open(ctx: Ctx) -> dict[str, Any]:
    trigger = _trigger(ctx)
    view = _view_arg(ctx, "modal")
    _check_external_id(ctx.state, trigger.team_id, view, None)
    stored = _store(ctx.state, ctx.now, view, team_id=trigger.team_id, user_id=trigger.user_id)
    # A new modal replaces whatever stack that person had open.
    ctx.state.modal_stacks[(trigger.team_id, trigger.user_id)] = [stored["id"]]
    trigger.used = True
    return _answer(stored)


@api_method("views.push")
def views_push(ctx: Ctx) -> dict[str, Any]:
    trigger = _trigger(ctx)
    view = _view_arg(ctx, "modal")
    stack = ctx.state.modal_stacks.get((trigger.team_id, trigger.user_id), [])
    if not stack:
        raise ApiError("not_found")  # inferred: there is no modal to push onto
    if len(stack) >= MAX_MODAL_STACK:
        raise ApiError("push_limit_reached")
    _check_external_id(ctx.state, trigger.team_id, view, None)
    stored = _store(
        ctx.state,
        ctx.now,
        view,
        team_id=trigger.team_id,
        user_id=trigger.user_id,
        root_view_id=stack[0],
        previous_view_id=stack[-1],
    )
    stack.append(stored["id"])
    trigger.used = True
    return _answer(stored)


@api_method("views.update")
def views_update(ctx: Ctx) -> dict[str, Any]:
    view_id, external_id = ctx.opt("view_id"), ctx.opt("external_id")
    if not view_id and not external_id:
        raise ApiError("invalid_arguments", messages=["missing required field: view_id"])
    current = None
    for candidate in ctx.state.views.values():
        if candidate["team_id"] not in ctx.team_ids or not _is_open(ctx.state, candidate["id"]):
            continue
        if candidate["id"] == view_id or (external_id and candidate.get("external_id") == external_id):
            current = candidate
            break
    if current is None:
        raise ApiError("not_found")
    ctx.team_id = current["team_id"]
    given_hash = ctx.opt("hash")
    if given_hash is not None and given_hash != current["hash"]:
        raise ApiError("hash_conflict")
    view = _view_arg(ctx, "home" if current["type"] == "home" else "modal")
    if "external_id" not in view and current.get("external_id"):
        view = {**view, "external_id": current["external_id"]}  # inferred: an update keeps it
    _check_external_id(ctx.state, current["team_id"], view, current["id"])
    team_id, user_id = ctx.state.view_owner[current["id"]]
    stored = _store(
        ctx.state,
        ctx.now,
        view,
        team_id=team_id,
        user_id=user_id,
        view_id=current["id"],
        root_view_id=current["root_view_id"],
        previous_view_id=current["previous_view_id"],
    )
    return _answer(stored)


@api_method("views.publish")
def views_publish(ctx: Ctx) -> dict[str, Any]:
    user = ctx.find_user(ctx.arg("user_id"))
    key = (user.team_id, user.id)
    existing_id = ctx.state.home_views.get(key)
    given_hash = ctx.opt("hash")
    if given_hash is not None:
        current_hash = ctx.state.views[existing_id]["hash"] if existing_id else None
        if given_hash != current_hash:
            raise ApiError("hash_conflict")
    view = _view_arg(ctx, "home")
    _check_external_id(ctx.state, user.team_id, view, existing_id)
    stored = _store(ctx.state, ctx.now, view, team_id=user.team_id, user_id=user.id, view_id=existing_id)
    ctx.state.home_views[key] = stored["id"]
    return _answer(stored)


# ---------------------------------------------------------------- what an ack does to the stack


def apply_submission_ack(state: State, now: float, view_id: str, ack: dict[str, Any] | None) -> None:
    """Change the submitter's modal stack as Slack would for this view_submission ack body.

    Raises AssertionError where Slack would show the person "We had some trouble connecting"
    (an invalid ack body), so a test fails at the cause.
    """
    team_id, user_id = state.view_owner[view_id]
    stack = state.modal_stacks.get((team_id, user_id), [])
    assert view_id in stack, f"view {view_id} is not open, so it cannot be submitted"
    ack = ack or {}
    action = ack.get("response_action")
    if action is None:
        del stack[stack.index(view_id) :]  # closes this view; a pushed one reveals the previous
    elif action == "clear":
        stack.clear()
    elif action == "errors":
        errors = ack.get("errors")
        assert isinstance(errors, dict) and errors, f"response_action=errors needs errors: {ack}"
        input_ids = {b.get("block_id") for b in state.views[view_id]["blocks"] if b.get("type") == "input"}
        unknown = sorted(set(errors) - input_ids)
        assert not unknown, f"errors name block_ids that are not input blocks of the view: {unknown}"
    elif action in ("update", "push"):
        view = ack.get("view")
        assert isinstance(view, dict), f"response_action={action} needs a view: {ack}"
        found = blockkit.problems("modal", view)
        assert not found, f"response_action={action} view is invalid: {found}"
        if action == "update":
            old = state.views[view_id]
            _store(
                state,
                now,
                view,
                team_id=team_id,
                user_id=user_id,
                view_id=view_id,
                root_view_id=old["root_view_id"],
                previous_view_id=old["previous_view_id"],
            )
        else:
            assert len(stack) < MAX_MODAL_STACK, "response_action=push beyond 3 views (push_limit_reached)"
            stored = _store(
                state,
                now,
                view,
                team_id=team_id,
                user_id=user_id,
                root_view_id=stack[0],
                previous_view_id=stack[-1],
            )
            stack.append(stored["id"])
    else:
        raise AssertionError(f"unknown response_action {action!r}")
    if not stack:
        state.modal_stacks.pop((team_id, user_id), None)


def close_modal(state: State, view_id: str) -> None:
    """The person pressed Close (or X): pop that view, or the whole stack if clear_on_close."""
    team_id, user_id = state.view_owner[view_id]
    stack = state.modal_stacks.get((team_id, user_id), [])
    assert view_id in stack, f"view {view_id} is not open"
    if state.views[view_id].get("clear_on_close"):
        stack.clear()
    else:
        del stack[stack.index(view_id) :]
    if not stack:
        state.modal_stacks.pop((team_id, user_id), None)
