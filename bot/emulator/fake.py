"""FakeSlack: the public face of the fake - directory set-up, failure injection, inspection."""

from __future__ import annotations

import contextlib
import copy
import json
import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from . import (  # noqa: F401 - api_* register methods
    api_conversations,
    api_files,
    api_people,
    api_views,
    blockkit,
    client_side,
)
from . import scopes as scope_table
from .context import METHODS, Ctx
from .limits import Limits
from .server import ParsedRequest, Reply, make_server, parse_api_request
from .state import (
    RESPONSE_URL_TTL_S,
    RESPONSE_URL_USES,
    ApiError,
    Conversation,
    ResponseUrl,
    State,
    Trigger,
    User,
    Workspace,
)

_JSON_ARGS = ("blocks", "attachments", "metadata", "view", "files")


@dataclass(frozen=True)
class Call:
    """One Web API request as the fake answered it."""

    method: str
    args: dict[str, Any]  # JSON-string arguments (blocks, view, metadata, ...) already decoded
    token: str | None
    team_id: str | None
    response: dict[str, Any]  # {} when the answer was not JSON (injected 5xx)
    status: int
    at: float  # the fake's clock
    connection_dropped: bool = False  # processed, then the socket closed without an answer

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.response.get("ok") is True


@dataclass
class _Failure:
    error: str | None
    status: int
    retry_after: int | None
    drop_response: bool
    # Carry the call out (a message IS posted), then answer with the error: Slack's
    # internal_error / fatal_error after it has stored the message.
    after_storing: bool = False

    def reply(self) -> tuple[Reply, dict[str, Any]]:
        if self.status >= 500:
            # Slack's edge answers 5xx with an HTML page (or nothing), never JSON.
            page = f"<html><body><h1>{self.status} Server Error</h1></body></html>"
            return Reply.text(self.status, page, "text/html; charset=utf-8"), {}
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        if self.status == 429:
            headers.setdefault("Retry-After", "1")
        body = {"ok": False, "error": self.error or ("ratelimited" if self.status == 429 else "fatal_error")}
        return Reply.json(self.status, body, headers), body


class FakeSlack:
    """A Slack Web API on 127.0.0.1 that records every call and enforces Slack's rules.

    Point the app at it with `WebClient(base_url=fake.api_url)`.
    """

    def __init__(
        self, *, clock: Callable[[], float] = time.time, scopes: Iterable[str] | None = None
    ) -> None:
        """`scopes`: the bot scopes the install was granted; by default exactly the manifest's
        (slack-app-manifest.yml), so a call the manifest does not allow answers missing_scope."""
        self._clock = clock
        self._scopes = frozenset(scope_table.manifest_bot_scopes() if scopes is None else scopes)
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)  # notified on every recorded call/post
        self._state = State()
        app_home = (scope_table.load_manifest().get("features") or {}).get("app_home") or {}
        self._state.messages_tab_enabled = bool(app_home.get("messages_tab_enabled", False))
        self._calls: list[Call] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._rate_limits: dict[str, int] = {}
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._tiers: Limits | None = None  # Slack's tiers, off until set_tiers(on=True)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""
        self.api_url = ""

    # ------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        self._server = make_server(self)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self.api_url = f"{self.base_url}/api/"
        # A short poll interval keeps stop() (which waits for the loop to notice) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ directory

    def add_workspace(self, team_id: str, *, token: str, name: str = "", bot_user_id: str = "UBOT") -> None:
        """Install the app in a workspace. The same token may be added for several team_ids
        (an Enterprise Grid org-wide install); the first is the token's default workspace."""
        with self._lock:
            if team_id not in self._state.workspaces:
                self._state.workspaces[team_id] = Workspace(
                    team_id=team_id,
                    name=name or team_id,
                    domain=(name or team_id).lower().replace(" ", "-"),
                    bot_user_id=bot_user_id,
                    bot_id=self._state.ids.new("B"),
                )
            teams = self._state.tokens.setdefault(token, [])
            if team_id not in teams:
                teams.append(team_id)

    def revoke_token(self, token: str, *, error: str = "token_revoked") -> None:
        """Every call with this token answers `error` from now on: token_revoked (uninstalled),
        or what Slack answers for a deactivated workspace or bot, account_inactive /
        invalid_auth (auth.test included)."""
        with self._lock:
            self._state.revoked[token] = error

    def set_messages_tab(self, *, enabled: bool) -> None:
        """Turn the app's Messages tab on or off (by default: as the manifest says)."""
        with self._lock:
            self._state.messages_tab_enabled = enabled

    @property
    def granted_scopes(self) -> frozenset[str]:
        with self._lock:
            return self._scopes

    def set_scopes(self, scopes: Iterable[str]) -> None:
        """Change the bot scopes the install holds (e.g. one removed, to see missing_scope)."""
        with self._lock:
            self._scopes = frozenset(scopes)

    def add_user(
        self,
        team_id: str,
        user_id: str,
        *,
        name: str,
        real_name: str = "",
        tz: str = "Europe/London",
        is_admin: bool = False,
        is_owner: bool = False,
        deleted: bool = False,
        is_bot: bool = False,
    ) -> None:
        with self._lock:
            self._workspace(team_id).users[user_id] = User(
                team_id=team_id,
                id=user_id,
                name=name,
                real_name=real_name,
                tz=tz,
                is_admin=is_admin,
                is_owner=is_owner,
                deleted=deleted,
                is_bot=is_bot,
            )

    def set_user(self, team_id: str, user_id: str, **changes: Any) -> None:
        """Change a person, e.g. set_user(T, U, deleted=True) for a deactivation."""
        with self._lock:
            user = self._workspace(team_id).users[user_id]
            for name, value in changes.items():
                if name in ("id", "team_id") or not hasattr(user, name):
                    raise TypeError(f"set_user cannot change {name!r}")
                setattr(user, name, value)

    def add_channel(
        self,
        team_id: str,
        channel_id: str,
        *,
        name: str,
        members: list[str],
        is_private: bool = False,
        is_archived: bool = False,
    ) -> None:
        """A channel. Include the bot user in `members` for the app to post or read there:
        Slack answers not_in_channel (public) / channel_not_found (private) otherwise."""
        with self._lock:
            self._workspace(team_id).conversations[channel_id] = Conversation(
                team_id=team_id,
                id=channel_id,
                kind="channel",
                name=name,
                members=list(members),
                is_private=is_private,
                is_archived=is_archived,
                created=int(self._clock()),
            )

    def add_usergroup(self, team_id: str, usergroup_id: str, *, handle: str, users: list[str]) -> None:
        with self._lock:
            self._workspace(team_id).usergroups[usergroup_id] = (handle, list(users))

    def add_message(
        self,
        team_id: str,
        channel_id: str,
        *,
        user: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        metadata: dict[str, Any] | None = None,
        thread_ts: str | None = None,
    ) -> str:
        """Seed a message written by someone (not the app) - e.g. for conversations.history."""
        with self._lock:
            conv = self._workspace(team_id).conversations[channel_id]
            ts = self._state.next_ts(self._clock())
            conv.messages.append(
                {
                    "type": "message",
                    "ts": ts,
                    "user": user,
                    "text": text,
                    "blocks": copy.deepcopy(blocks or []),
                    "metadata": metadata,
                    "thread_ts": thread_ts,
                    "team": team_id,
                }
            )
            return ts

    # ------------------------------------------------------------ triggers and response URLs

    def new_trigger_id(self, team_id: str, user_id: str) -> str:
        """A trigger_id as Slack puts in an interaction: usable once, within 3 s (by `clock`)."""
        with self._lock:
            now = self._clock()
            trigger_id = f"{len(self._state.triggers) + 1}.{int(now)}.{uuid.uuid4().hex}"
            self._state.triggers[trigger_id] = Trigger(trigger_id, team_id, user_id, now)
            return trigger_id

    def new_response_url(
        self,
        *,
        team_id: str | None = None,
        user_id: str | None = None,
        channel_id: str | None = None,
        message_ts: str | None = None,
        is_ephemeral: bool = False,
    ) -> str:
        """A response_url: 5 successful posts within 30 minutes, then 404 used_url/expired_url.

        Given where the interaction happened (the person, the conversation and, for a click in
        a message, its ts), posts to it change what people see as Slack's would: see
        client_side.apply_response. Without, posts are only recorded."""
        with self._lock:
            key = uuid.uuid4().hex
            self._state.response_urls[key] = ResponseUrl(
                key,
                self._clock(),
                team_id=team_id,
                user_id=user_id,
                channel_id=channel_id,
                message_ts=message_ts,
                is_ephemeral=is_ephemeral,
            )
            return f"{self.base_url}/response/{key}"

    # ------------------------------------------------------------ what a person's client shows

    def show_command_reply(
        self,
        team_id: str,
        user_id: str,
        channel_id: str,
        body: dict[str, Any],
        *,
        response_url: str | None = None,
    ) -> str | None:
        """What Slack does with a slash command's ack body: an ephemeral message to the person
        (or, with response_type=in_channel, a message for everyone). Returns its ts, or None
        for an empty ack, which shows nothing."""
        with self._changed:
            ts = client_side.show_command_reply(
                self._state,
                self._clock(),
                team_id=team_id,
                user_id=user_id,
                channel_id=channel_id,
                body=body,
                response_url=response_url,
            )
            self._changed.notify_all()
            return ts

    def open_app_dm(self, team_id: str, user_id: str) -> str:
        """The id of the person's DM with the app, opening it as conversations.open would."""
        with self._lock:
            return client_side.open_app_dm(self._state, self._clock(), self.base_url, team_id, user_id)

    def conversations_for(self, team_id: str, user_id: str) -> list[dict[str, Any]]:
        """The channels, DM with the app and group DMs a person is in, with their messages."""
        with self._lock:
            return client_side.conversations_for(self._state, team_id, user_id)

    def ephemeral_for(self, team_id: str, user_id: str) -> list[dict[str, Any]]:
        """Ephemeral messages that person sees: chat.postEphemeral, command and response_url replies."""
        with self._lock:
            return client_side.ephemeral_for(self._state, team_id, user_id)

    def people(self, team_id: str) -> list[dict[str, Any]]:
        """The workspace's people as users.list returns them."""
        with self._lock:
            return client_side.people(self._state, team_id, self._clock())

    def channels(self, team_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return client_side.channels(self._state, team_id)

    # ------------------------------------------------------------ failure injection

    def fail_next(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
        drop_response: bool = False,
        after_storing: bool = False,
    ) -> None:
        """Make the next `times` calls to `method` fail.

        status=429 -> HTTP 429, Retry-After (default 1), {"ok": false, "error": "ratelimited"};
        status>=500 -> that status with an HTML body; error="x" -> 200 {"ok": false, "error": "x"};
        drop_response=True -> the call is processed (a message IS posted) and then the
        connection closes unanswered, which slack_sdk's default retry handler re-sends.
        after_storing=True -> the call is carried out (a message IS posted), then answered
        with the error anyway: Slack's ambiguous internal_error / fatal_error.
        """
        if status == 200 and error is None and not drop_response:
            raise ValueError("fail_next needs an error, a non-200 status or drop_response=True")
        if after_storing and (error is None or drop_response):
            raise ValueError("after_storing needs an error to answer with (and no drop_response)")
        with self._lock:
            queue = self._failures.setdefault(method, deque())
            queue.extend(
                _Failure(error, status, retry_after, drop_response, after_storing) for _ in range(times)
            )

    def set_rate_limit(self, method: str, *, per_minute: int | None) -> None:
        """A real sliding-window limiter per method and workspace (by `clock`); None turns it off."""
        with self._lock:
            if per_minute is None:
                self._rate_limits.pop(method, None)
            else:
                self._rate_limits[method] = per_minute

    def set_tiers(self, *, on: bool) -> None:
        """Slack's rate-limit tiers for every method, and chat.postMessage's one per second
        per channel (bot/emulator/limits.py), by `clock`; on=False turns them off."""
        with self._lock:
            self._tiers = Limits() if on else None

    # ------------------------------------------------------------ inspection

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] = lambda c: True,
        *,
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[Call]:
        """Block until `count` successful calls to `method` match `predicate`; return them all.

        Waits on a Condition notified by the server thread (no polling). A predicate that raises
        (say, KeyError on a call without that argument) counts as "no match".
        """

        def matching() -> list[Call]:
            found = []
            for call in self._calls:
                if call.method == method and call.ok:
                    try:
                        if predicate(call):
                            found.append(call)
                    except Exception:
                        pass
            return found

        with self._changed:
            if self._changed.wait_for(lambda: len(matching()) >= count, timeout):
                return matching()
            raise AssertionError(
                f"timed out after {timeout}s waiting for {count} successful {method} call(s) matching "
                f"the predicate; {len(matching())} matched. Recent calls:\n{self._recent_calls()}"
            )

    def messages(self, channel: str, *, team_id: str | None = None) -> list[dict[str, Any]]:
        """The conversation's messages now (edits applied), oldest first, each with ts, text,
        blocks, user, metadata (and thread_ts, files, edited where present)."""
        with self._lock:
            for ws in self._state.workspaces.values():
                if (team_id is None or ws.team_id == team_id) and channel in ws.conversations:
                    return copy.deepcopy(ws.conversations[channel].messages)
            raise KeyError(f"no conversation {channel!r} (DMs exist only once opened or posted to)")

    @property
    def ephemeral_messages(self) -> list[dict[str, Any]]:
        """chat.postEphemeral messages: channel, user, ts, text, blocks."""
        with self._lock:
            return copy.deepcopy(self._state.ephemeral)

    def dm_channel(self, team_id: str, user_ids: list[str]) -> str | None:
        with self._lock:
            return self._workspace(team_id).dms.get(frozenset(user_ids))

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        """view_id -> the view as Slack stores it now (open or not), as a snapshot."""
        with self._lock:
            return copy.deepcopy(self._state.views)

    def home_view(self, team_id: str, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            view_id = self._state.home_views.get((team_id, user_id))
            return copy.deepcopy(self._state.views[view_id]) if view_id else None

    def open_modal_stack(self, team_id: str, user_id: str) -> list[dict[str, Any]]:
        with self._lock:
            ids = self._state.modal_stacks.get((team_id, user_id), [])
            return [copy.deepcopy(self._state.views[i]) for i in ids]

    @property
    def response_url_posts(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy([post["body"] for post in self._state.response_url_posts])

    def response_url_posts_to(self, url: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy([p["body"] for p in self._state.response_url_posts if p["url"] == url])

    def wait_for_response_posts(
        self, url: str, *, count: int = 1, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """Block until `count` bodies were POSTed to that response URL; return them all."""

        def posted() -> list[dict[str, Any]]:
            return [p["body"] for p in self._state.response_url_posts if p["url"] == url]

        with self._changed:
            if self._changed.wait_for(lambda: len(posted()) >= count, timeout):
                return copy.deepcopy(posted())
            raise AssertionError(f"timed out after {timeout}s waiting for {count} post(s) to {url}")

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        """file_id -> {id, name, title, size, content (bytes), channels, initial_comment, ...}."""
        with self._lock:
            return {fid: f.public() for fid, f in self._state.files.items()}

    # ------------------------------------------------------------ what the person does in a modal

    def complete_view_submission(self, view_id: str, ack: dict[str, Any] | None = None) -> None:
        """Apply the app's view_submission ack body to the modal stack, as Slack does:
        none/{} closes that view, "clear" closes all, "update"/"push" change it, "errors" keeps it.
        Raises AssertionError for an ack Slack would refuse."""
        with self._lock:
            api_views.apply_submission_ack(self._state, self._clock(), view_id, ack)

    def close_modal(self, view_id: str) -> None:
        """The person closed the modal (what a view_closed payload reports)."""
        with self._lock:
            api_views.close_modal(self._state, view_id)

    def reset(self) -> None:
        """Forget calls, messages, DMs, views, triggers, files and pending failures; keep the
        workspaces, people, channels, usergroups, tokens and rate-limit settings."""
        with self._lock:
            self._calls.clear()
            self._failures.clear()
            self._hits.clear()
            if self._tiers is not None:
                self._tiers.clear()
            self._state.clear_activity()

    # ------------------------------------------------------------ serving (server thread)

    def _route(self, path: str, query: str, headers: Any, body: bytes) -> Reply:
        if path.startswith("/api/"):
            return self._api(path[len("/api/") :], parse_api_request(query, headers, body))
        if path.startswith("/upload/v1/"):
            with self._lock:
                status, text = api_files.receive_upload(
                    self._state, path.rsplit("/", 1)[1], body, headers.get("Content-Type") or ""
                )
            return Reply.text(status, text)
        if path.startswith("/response/"):
            return self._response_url_post(path, headers, body)
        return Reply.text(404, "not found")

    def _api(self, method: str, request: ParsedRequest) -> Reply:
        with self._changed:
            now = self._clock()
            team_ids = list(self._state.tokens.get(request.token or "", []))
            failure = self._take_failure(method)
            team_id = team_ids[0] if team_ids else None
            if failure is not None and failure.after_storing:
                self._execute(method, request, team_ids, now)
                reply, body = failure.reply()
            elif failure is not None and not failure.drop_response:
                reply, body = failure.reply()
            else:
                reply, body, team_id = self._execute(method, request, team_ids, now)
                reply.drop_connection = failure is not None
            self._calls.append(
                Call(
                    method=method,
                    args=_decoded(request.args),
                    token=request.token,
                    team_id=team_id,
                    response=body,
                    status=reply.status,
                    at=now,
                    connection_dropped=reply.drop_connection,
                )
            )
            self._changed.notify_all()
            return reply

    def _execute(
        self, method: str, request: ParsedRequest, team_ids: list[str], now: float
    ) -> tuple[Reply, dict[str, Any], str | None]:
        token = request.token
        team_id = team_ids[0] if team_ids else None
        if request.bad_body:
            error = ApiError(request.bad_body)
        elif token is None:
            error = ApiError("not_authed")
        elif token in self._state.revoked:
            error = ApiError(self._state.revoked[token])
        elif not team_ids:
            error = ApiError("invalid_auth")
        elif (retry_after := self._rate_limited(method, team_ids[0], now, request)) is not None:
            body = {"ok": False, "error": "ratelimited"}
            return Reply.json(429, body, {"Retry-After": str(retry_after)}), body, team_id
        elif method not in METHODS:
            error = ApiError("unknown_method")
        elif (needed := self._missing_scope(method, request, token, team_ids, now)) is not None:
            error = ApiError("missing_scope", needed=needed, provided=",".join(sorted(self._scopes)))
        else:
            ctx = Ctx(
                state=self._state,
                method=method,
                args=request.args,
                token=token,
                team_ids=team_ids,
                now=now,
                base_url=self.base_url,
            )
            try:
                body = {"ok": True, **METHODS[method](ctx)}
                return Reply.json(200, body), body, ctx.team_id or team_id
            except ApiError as exc:
                error = exc
                team_id = ctx.team_id or team_id
            except Exception as exc:  # a bug in the fake: answer visibly instead of dropping the socket
                error = ApiError("fake_slack_bug", detail=f"{type(exc).__name__}: {exc}")
        body = error.body()
        return Reply.json(200, body), body, team_id

    def _missing_scope(
        self, method: str, request: ParsedRequest, token: str, team_ids: list[str], now: float
    ) -> str | None:
        """The scope this call needs and the install lacks, else None (a context of its own:
        looking up the conversation must not decide the handler's workspace)."""
        ctx = Ctx(
            state=self._state,
            method=method,
            args=request.args,
            token=token,
            team_ids=team_ids,
            now=now,
            base_url=self.base_url,
        )
        try:
            needed = scope_table.needed_scope(ctx)
        except ApiError:
            return None  # a missing argument: the method itself says so
        return None if needed is None or needed in self._scopes else needed

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        return queue.popleft() if queue else None

    def _rate_limited(self, method: str, team_id: str, now: float, request: ParsedRequest) -> int | None:
        """Seconds to wait if this call is over the method's per-minute limit, else None."""
        if self._tiers is not None:
            channel = request.args.get("channel")
            wait = self._tiers.check(method, team_id, str(channel) if channel else None, now)
            if wait is not None:
                return wait
        limit = self._rate_limits.get(method)
        if limit is None:
            return None
        hits = self._hits.setdefault((method, team_id), deque())
        while hits and hits[0] <= now - 60:
            hits.popleft()
        if len(hits) >= limit:
            return max(1, math.ceil(hits[0] + 60 - now))
        hits.append(now)
        return None

    def _response_url_post(self, path: str, headers: Any, raw: bytes) -> Reply:
        url = self.base_url + path
        with self._changed:
            entry = self._state.response_urls.get(path.rsplit("/", 1)[1])
            now = self._clock()
            # Inferred from hooks.slack.com behaviour: 404 with a short reason as the body.
            if entry is None:
                return Reply.text(404, "no_service")
            if now - entry.issued_at > RESPONSE_URL_TTL_S:
                return Reply.text(404, "expired_url")
            if entry.uses >= RESPONSE_URL_USES:
                return Reply.text(404, "used_url")
            body = _response_url_body(headers.get("Content-Type") or "", raw)
            if body is None:
                return Reply.text(400, "invalid_payload")
            if not (body.get("text") or body.get("blocks") or body.get("delete_original")):
                return Reply.text(400, "no_text")
            if body.get("blocks") and blockkit.problems("message", body):
                return Reply.text(400, "invalid_blocks")
            entry.uses += 1
            self._state.response_url_posts.append({"url": url, "body": body, "at": now})
            client_side.apply_response(self._state, now, entry, url, body)
            self._changed.notify_all()
            return Reply.text(200, "ok", "text/html")

    # ------------------------------------------------------------ helpers

    def _workspace(self, team_id: str) -> Workspace:
        try:
            return self._state.workspaces[team_id]
        except KeyError:
            raise KeyError(f"unknown workspace {team_id!r}: call add_workspace first") from None

    def _recent_calls(self, n: int = 25) -> str:
        lines = []
        for c in self._calls[-n:]:
            outcome = "ok" if c.ok else (c.response.get("error") or f"HTTP {c.status}")
            args = json.dumps(c.args, default=str)
            lines.append(f"  {c.method} [{c.team_id}] -> {outcome}  {args[:200]}")
        return "\n".join(lines) or "  (no calls at all)"


def _decoded(args: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(args)
    for name in _JSON_ARGS:
        if isinstance(out.get(name), str):
            with contextlib.suppress(json.JSONDecodeError):
                out[name] = json.loads(out[name])
    return out


def _response_url_body(content_type: str, raw: bytes) -> dict[str, Any] | None:
    try:
        if content_type.startswith("application/x-www-form-urlencoded"):
            payload = dict(parse_qsl(raw.decode())).get("payload")
            parsed = json.loads(payload) if payload else None
        else:
            parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return parsed if isinstance(parsed, dict) else None
