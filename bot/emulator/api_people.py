"""auth.test, users.info, users.list, usergroups.users.list."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from .context import Ctx, api_method, paginate
from .state import ApiError, User


def user_object(user: User, now: float) -> dict[str, Any]:
    """A user as users.info returns it (the fields an app is likely to read)."""
    moment = datetime.fromtimestamp(now, tz=UTC).astimezone(ZoneInfo(user.tz))
    offset = moment.utcoffset()
    display = user.name
    real_name = user.real_name or user.name
    return {
        "id": user.id,
        "team_id": user.team_id,
        "name": user.name,
        "deleted": user.deleted,
        "real_name": real_name,
        "tz": user.tz,
        "tz_label": moment.tzname(),
        "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
        "profile": {
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": display,
            "display_name_normalized": display,
            "team": user.team_id,
        },
        "is_admin": user.is_admin,
        "is_owner": user.is_owner,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": int(now),
    }


@api_method("auth.test")
def auth_test(ctx: Ctx) -> dict[str, Any]:
    ws = ctx.workspace()
    body: dict[str, Any] = {
        "url": f"https://{ws.domain}.slack.com/",
        "team": ws.name,
        "user": "peer-mentor",
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": len(ctx.team_ids) > 1,
    }
    if len(ctx.team_ids) > 1:
        body["enterprise_id"] = "E0FAKEORG"
    return body


@api_method("users.info")
def users_info(ctx: Ctx) -> dict[str, Any]:
    user = ctx.find_user(ctx.arg("user"))
    return {"user": user_object(user, ctx.now)}


@api_method("users.list")
def users_list(ctx: Ctx) -> dict[str, Any]:
    ctx.explicit_team()
    team_ids = [ctx.team_id] if ctx.team_id else ctx.team_ids
    seen: set[str] = set()
    people: list[User] = []
    for team_id in team_ids:
        for user in ctx.state.workspaces[team_id].users.values():
            if user.id not in seen:  # org-wide installs see a person once
                seen.add(user.id)
                people.append(user)
    limit = ctx.int_arg("limit", 0)
    page, next_cursor = paginate(people, ctx.opt("cursor"), limit if limit > 0 else len(people) or 1)
    return {
        "members": [user_object(u, ctx.now) for u in page],
        "cache_ts": int(ctx.now),
        "response_metadata": {"next_cursor": next_cursor},
    }


@api_method("usergroups.users.list")
def usergroups_users_list(ctx: Ctx) -> dict[str, Any]:
    group_id = ctx.arg("usergroup")
    ctx.explicit_team()
    for team_id in [ctx.team_id] if ctx.team_id else ctx.team_ids:
        ws = ctx.state.workspaces[team_id]
        if group_id in ws.usergroups:
            ctx.team_id = team_id
            _handle, users = ws.usergroups[group_id]
            return {"users": list(users)}
    raise ApiError("no_such_subteam")


@api_method("usergroups.list")
def usergroups_list(ctx: Ctx) -> dict[str, Any]:
    """The workspace's user groups; `users` only with include_users, `user_count` with
    include_count (Slack sends the count as a string)."""
    ctx.explicit_team()
    ws = ctx.workspace()
    groups = []
    for group_id, (handle, users) in ws.usergroups.items():
        group: dict[str, Any] = {
            "id": group_id,
            "team_id": ws.team_id,
            "is_usergroup": True,
            "is_subteam": True,
            "name": handle,
            "description": "",
            "handle": handle,
            "is_external": False,
            "date_create": int(ctx.now),
            "date_update": int(ctx.now),
            "date_delete": 0,
            "auto_type": None,
            "prefs": {"channels": [], "groups": []},
        }
        if ctx.flag("include_count"):
            group["user_count"] = str(len(users))
        if ctx.flag("include_users"):
            group["users"] = list(users)
        groups.append(group)
    return {"usergroups": groups}
