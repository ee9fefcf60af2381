"""Sending the outbox: one lane per workspace, paced, and exactly once even across crashes.

Exactly once without an idempotency key
---------------------------------------
Slack has no idempotency key for chat.postMessage, so the worker keeps "the message is in
Slack" and "the row says sent" in step like this:

1. A due row is claimed under a lease (bot/services/outbox.py): no other worker touches it
   until the lease runs out.
2. Before Slack is called, the row is marked `in_doubt` (and its lease renewed) in a
   committed transaction.
3. Every message carries metadata: event type `peer_mentor_outbox`, payload `{"key": <the
   row's unique key>}`.
4. Slack's answer is recorded: sent (with channel and ts), or a failure. Only an answer that
   proves nothing was posted (an `ok: false` body, a 429) clears `in_doubt`; no answer at all
   (a dropped connection, a timeout, a 5xx page, or a worker killed before it could write
   the answer down) leaves it set.
5. A row found in doubt is never simply sent again. The worker first reads the latest
   messages of its conversation (`conversations.history` with `include_all_metadata`); if
   one carries the row's key, the row is recorded as sent with that message's ts. Only when
   none does is it sent again.

Why that gives no duplicates: a message can reach Slack only after step 2 committed, so
every row whose message might be in Slack is in doubt until a definite answer is written;
and an in-doubt row is re-sent only after Slack showed that its key is not in the
conversation. Two workers never act on one row at once: the lease (5 minutes, renewed at
step 2) is far longer than one attempt (the HTTP timeout is 10 s), and every write after a
claim checks that the lease is still the writer's. slack_sdk's automatic re-send after a
dropped connection is switched off (bot/jobs/slack.py): it would re-send without looking.

Pacing and fairness
-------------------
Each workspace is a lane with its own pacer; worker threads take whichever lane is ready,
send a few messages, and put it back. A 429 reschedules that row for Retry-After, parks
only that lane until then and teaches its pacer the rate the workspace allows (the sends of
the last minute), so a slow or limited workspace never holds up the others. Transient
errors back off (30 s, 1 min, … hourly). "Recipient gone" errors and deactivated people
(users.info / users.list) stop messages to that person, end their pair and tell the peer
kindly (bot/services/delivery.py); auth errors stop that workspace, loudly.

Every DM is checked at the last moment: the person still opted in, not gone, not paused,
and inside their working hours (else it waits for them). DM channel ids come back from the
first chat.postMessage to a user id and are cached; conversations.open (Tier 3) is needed
only to find a conversation for the check in step 5, and is cached too.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.models.states import OutboxStatus
from bot.services import delivery, outbox, profiles
from bot.services.errors import DomainError
from bot.services.outbox import OutboxRow
from bot.services.program import program_settings
from bot.services.working_hours import WorkingHours, is_working_time, next_working_time

from .clock import TickClock
from .registry import KINDS, Content, MessageKind
from .slack import METADATA_EVENT, Failure, Verdict, classify

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
CLAIM_BATCH = 50
SENDS_PER_TURN = 20
HISTORY_PAGES = 3
SWEEP_AT = 10  # this many people to check at once: one users.list sweep instead of users.info each
INLINE_WAIT = 5.0  # a users.list page rate limited for longer than this ends the sweep
PAUSED_RECHECK = timedelta(days=1)


@dataclass
class SendStats:
    counts: Counter[str] = field(default_factory=Counter)
    stopped_workspaces: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.counts[name] += n

    def __getitem__(self, name: str) -> int:
        return self.counts[name]


class Pacer:
    """One workspace's sending pace: as fast as Slack lets it, learnt from 429s.

    Unlimited until the first 429. Then the sends of the minute before it are taken as the
    rate the workspace allows (Slack's limits are per minute), and sends are spaced to match
    it, with 2% to spare; a 429 at that pace slows it by another 5%. After five quiet minutes
    the pace creeps up by 5%, to find out whether the limit has lifted.
    """

    WINDOW = 60.0
    PROBE_AFTER = 300.0

    def __init__(self) -> None:
        self.interval = 0.0
        self.ready_at = 0.0
        self._sent: deque[float] = deque()
        self._since = 0.0

    def wait(self, now: float) -> float:
        return max(0.0, self.ready_at - now)

    def sent(self, now: float) -> None:
        self._sent.append(now)
        self._forget(now)
        if self.interval and now - self._since >= self.PROBE_AFTER:
            self.interval *= 0.95
            self._since = now
        # The next slot follows the previous one, not this send's end: time spent sending
        # is not added to every gap. Falling behind earns at most one slot of credit.
        self.ready_at = max(self.ready_at, now - self.interval) + self.interval

    def limited(self, now: float, retry_after: float) -> None:
        self._forget(now)
        # 2% under the rate just seen: clocks and scheduling jitter must not tip it over.
        learnt = self.WINDOW / len(self._sent) * 1.02 if self._sent else 0.0
        self.interval = learnt if learnt > self.interval else max(self.interval * 1.05, 0.01)
        self._since = now
        self.ready_at = max(self.ready_at, now + retry_after)

    def _forget(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - self.WINDOW:
            self._sent.popleft()


@dataclass
class Lane:
    team_id: str
    client: WebClient
    pacer: Pacer = field(default_factory=Pacer)
    rows: deque[OutboxRow] = field(default_factory=deque)
    stopped: bool = False
    swept: bool = False


class _Handled(Exception):
    """The row was dealt with (rescheduled, cancelled, …) while getting ready to send."""


class Dispatcher:
    """Sends every due outbox row it can before `deadline`, across workspaces in parallel."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        client_for: Callable[[str], WebClient],
        clock: TickClock,
        owner: str,
        budget: timedelta,
        threads: int = 8,
    ) -> None:
        self._sessions = session_factory
        self._client_for = client_for
        self._clock = clock
        self._owner = owner
        self._threads = threads
        self._deadline = clock.seconds() + budget.total_seconds()
        self._cond = threading.Condition()
        self._ready: list[tuple[float, int, Lane]] = []
        self._seq = itertools.count()
        self._busy = 0
        self._hours: dict[str, WorkingHours] = {}
        # SQLite has one writer at a time and makes a waiting one sleep in steps of up to
        # 100 ms; the lanes of one worker queue here instead, which hands over at once.
        # Other processes still wait on SQLite's busy timeout. PostgreSQL needs no queue.
        sqlite_db = session_factory.kw["bind"].dialect.name == "sqlite"
        self._db_turn: AbstractContextManager[Any] = threading.Lock() if sqlite_db else nullcontext()
        self.stats = SendStats()

    # --- the lanes --------------------------------------------------------------------

    def run(self, team_ids: list[str]) -> SendStats:
        lanes = [Lane(team_id, self._client_for(team_id)) for team_id in team_ids]
        for lane in lanes:
            heapq.heappush(self._ready, (0.0, next(self._seq), lane))
        workers = [
            threading.Thread(target=self._work, name=f"sender-{i}", daemon=True)
            for i in range(min(self._threads, len(lanes)))
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        for lane in lanes:
            self._release(lane)
        return self.stats

    def _work(self) -> None:
        while True:
            lane = self._next_lane()
            if lane is None:
                return
            again: float | None = None
            try:
                again = self._turn(lane)
            except Exception:
                # A bug or the database gone: leave this lane's rows for the next tick.
                logger.exception("sending to workspace %s failed", lane.team_id)
            with self._cond:
                self._busy -= 1
                if again is not None and again < self._deadline and not lane.stopped:
                    heapq.heappush(self._ready, (again, next(self._seq), lane))
                self._cond.notify_all()

    def _next_lane(self) -> Lane | None:
        with self._cond:
            while True:
                now = self._clock.seconds()
                if now >= self._deadline or (not self._ready and self._busy == 0):
                    self._cond.notify_all()
                    return None
                if self._ready and self._ready[0][0] <= now:
                    lane = heapq.heappop(self._ready)[2]
                    self._busy += 1
                    return lane
                until = min(self._ready[0][0], self._deadline) if self._ready else self._deadline
                self._cond.wait(timeout=min(1.0, max(0.001, self._clock.real_seconds(until - now))))

    def _turn(self, lane: Lane) -> float | None:
        """Send up to a few rows of one workspace. Returns when to come back, None when done."""
        for _ in range(SENDS_PER_TURN):
            now = self._clock.seconds()
            wait = lane.pacer.wait(now)
            if wait > 0:
                return now + wait
            if not lane.rows and not self._claim(lane):
                return None
            self._deliver(lane, lane.rows.popleft())
            if lane.stopped:
                self._release(lane)
                return None
        return self._clock.seconds()

    def _claim(self, lane: Lane) -> bool:
        with self._transaction() as session:
            if delivery.is_stopped(session=session, team_id=lane.team_id):
                lane.stopped = True
                return False
            rows = outbox.claim_due(
                session=session,
                team_id=lane.team_id,
                owner=self._owner,
                now=self._clock.now(),
                lease=LEASE,
                limit=CLAIM_BATCH,
            )
        lane.rows.extend(rows)
        if rows and not lane.swept:
            self._maybe_sweep(lane, rows)
        return bool(rows)

    def _release(self, lane: Lane) -> None:
        if lane.rows:
            with self._transaction() as session:
                outbox.release(session=session, row_ids=[r.id for r in lane.rows], owner=self._owner)
            lane.rows.clear()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """A transaction that still commits when the row was dealt with inside it: a cancel or
        reschedule followed by `_Handled` must be kept, not rolled back."""
        handled = False
        with self._db_turn, self._sessions.begin() as session:
            try:
                yield session
            except _Handled:
                handled = True
        if handled:
            raise _Handled

    # --- one row --------------------------------------------------------------------------

    def _deliver(self, lane: Lane, row: OutboxRow) -> None:
        kind = KINDS.get(row.kind)
        try:
            content, state, started = self._prepare(row, kind)
            assert kind is not None
            if state is not None and state.needs_check(self._clock.now()):
                self._check_person(lane, row)
            target = self._target(lane, row, state)
            if row.in_doubt and self._already_in_slack(lane, row, target):
                return
            if not started:
                self._start(row)
        except _Handled:
            return
        self._post(lane, row, kind, content, target)

    def _prepare(
        self, row: OutboxRow, kind: MessageKind | None
    ) -> tuple[Content, delivery.RecipientState | None, bool]:
        """Build the message and check the recipient, in one transaction. When no Slack call
        has to come before the post, the attempt is started here too (saving a transaction)."""
        now = self._clock.now()
        with self._transaction() as session:
            if kind is None:
                logger.error("outbox row %s has an unknown kind %r; giving up on it", row.id, row.kind)
                self._settle(session, row, "failed", "unknown_kind")
                raise _Handled
            state = self._gate(session, row, kind, now) if kind.to_person else None
            try:
                content = kind.render(session, row, now)
            except DomainError:
                content = None
            if content is None:
                self._settle(session, row, "cancelled", "nothing_to_send")
                raise _Handled
            started = state is not None and not state.needs_check(now) and not row.in_doubt
            if started and not outbox.start_attempt(
                session=session, row_id=row.id, owner=self._owner, now=now, lease=LEASE
            ):
                self.stats.add("lease_lost")
                raise _Handled
        return content, state, started

    def _gate(
        self, session: Session, row: OutboxRow, kind: MessageKind, now: datetime
    ) -> delivery.RecipientState:
        """A DM goes only to someone opted in, not gone, not paused, in their working hours."""
        profile = profiles.get_profile(session=session, team_id=row.team_id, user_id=row.recipient)
        state = delivery.recipient_states(session=session, team_id=row.team_id, user_ids=[row.recipient])[
            row.recipient
        ]
        if profile is None or state.gone:
            self._settle(session, row, "cancelled", "not_opted_in" if profile is None else "recipient_gone")
            raise _Handled
        if profiles.is_paused(profile, now):
            if kind.when_paused == "cancel":
                self._settle(session, row, "cancelled", "paused")
            else:
                back = profile.paused_until or now + PAUSED_RECHECK
                outbox.reschedule(
                    session=session,
                    row_id=row.id,
                    owner=self._owner,
                    due_at=back,
                    reason="paused",
                    not_sent=False,
                )
                self.stats.add("deferred")
            raise _Handled
        hours = self._working_hours(session, row.team_id)
        if not is_working_time(now, tz=profile.tz, hours=hours):
            when = next_working_time(now, tz=profile.tz, hours=hours)
            outbox.reschedule(
                session=session,
                row_id=row.id,
                owner=self._owner,
                due_at=when,
                reason="outside_hours",
                not_sent=False,
            )
            self.stats.add("deferred")
            raise _Handled
        return state

    def _working_hours(self, session: Session, team_id: str) -> WorkingHours:
        hours = self._hours.get(team_id)
        if hours is None:
            hours = self._hours[team_id] = WorkingHours.of(program_settings(session=session, team_id=team_id))
        return hours

    def _start(self, row: OutboxRow) -> None:
        with self._transaction() as session:
            if not outbox.start_attempt(
                session=session, row_id=row.id, owner=self._owner, now=self._clock.now(), lease=LEASE
            ):
                self.stats.add("lease_lost")
                raise _Handled

    def _post(self, lane: Lane, row: OutboxRow, kind: MessageKind, content: Content, target: str) -> None:
        try:
            response = lane.client.chat_postMessage(
                channel=target,
                text=content.text,
                blocks=content.blocks,
                metadata={"event_type": METADATA_EVENT, "event_payload": {"key": row.key}},
                unfurl_links=False,
                unfurl_media=False,
            )
        except Exception as error:
            self._failed(lane, row, classify(error), posting=True, target=target)
            return
        channel, ts = str(response["channel"]), str(response["ts"])
        with self._transaction() as session:
            if not outbox.mark_sent(
                session=session,
                row_id=row.id,
                owner=self._owner,
                channel_id=channel,
                ts=ts,
                now=self._clock.now(),
            ):
                logger.warning("outbox row %s was posted after its lease ended", row.id)
            if kind.to_person and target != channel:
                # Posted to the user id: Slack answered with the DM channel; keep it.
                delivery.remember_dm_channel(
                    session=session, team_id=row.team_id, user_id=row.recipient, channel_id=channel
                )
        lane.pacer.sent(self._clock.seconds())
        self.stats.add("sent")

    # --- before sending ------------------------------------------------------------------

    def _target(self, lane: Lane, row: OutboxRow, state: delivery.RecipientState | None) -> str:
        """Where to post: a person's cached DM channel (else their user id, which Slack
        delivers to the app's DM), a channel id, or a group DM opened for several people."""
        if row.channel_id:
            return row.channel_id
        if state is not None:
            return state.dm_channel_id or row.recipient
        if "," not in row.recipient:
            return row.recipient
        members = row.recipient.split(",")
        with self._transaction() as session:
            states = delivery.recipient_states(session=session, team_id=row.team_id, user_ids=members)
            present = [u for u in members if not states[u].gone]
            if len(present) < 2:
                self._settle(session, row, "cancelled", "recipient_gone")
                raise _Handled
        try:
            opened = lane.client.conversations_open(users=",".join(present))
        except Exception as error:
            failure = classify(error)
            if failure.verdict == Verdict.GONE:
                self._find_who_left(lane, row, present, failure.error)
            else:
                self._failed(lane, row, failure, posting=False, target=row.recipient)
            raise _Handled from None
        channel = str(opened["channel"]["id"])
        with self._transaction() as session:
            outbox.remember_channel(session=session, row_id=row.id, owner=self._owner, channel_id=channel)
        return channel

    def _find_who_left(self, lane: Lane, row: OutboxRow, members: list[str], error: str) -> None:
        """A group DM was refused (`user_disabled`: one member is deactivated, but Slack does
        not say who). users.info finds them; only they are marked gone, and the row is tried
        again at once for whoever is left (bot/services/delivery.mark_gone re-plans the pair)."""
        gone: dict[str, str] = {}
        active: dict[str, str] = {}
        for user_id in members:
            try:
                user = lane.client.users_info(user=user_id).get("user") or {}
            except Exception as failed:
                failure = classify(failed)
                if failure.verdict != Verdict.GONE:
                    self._failed(lane, row, failure, posting=False, target=row.recipient)
                    return
                gone[user_id] = failure.error
                continue
            if user.get("deleted") or user.get("is_bot"):
                gone[user_id] = "deactivated" if user.get("deleted") else "is_bot"
            else:
                active[user_id] = str(user.get("tz") or "")
        now = self._clock.now()
        with self._transaction() as session:
            delivery.mark_verified(
                session=session, team_id=row.team_id, user_ids=sorted(active), now=now, tz=active
            )
            for user_id, reason in gone.items():
                self._mark_gone(session, row.team_id, user_id, reason)
            if gone:
                outbox.reschedule(
                    session=session, row_id=row.id, owner=self._owner, due_at=now, reason=error, not_sent=True
                )
                self.stats.add("recipient_gone", len(gone))
        if not gone:
            # Slack said someone is disabled and nobody is: try again later, like any hiccup.
            self._failed(lane, row, Failure(Verdict.TRANSIENT, error), posting=False, target=row.recipient)

    def _check_person(self, lane: Lane, row: OutboxRow) -> None:
        """users.info: a deactivated person (`deleted`) gets nothing more (Slack itself still
        accepts DMs to them). Their answer is trusted for a day."""
        info = self._call(lane, row, lane.client.users_info, user=row.recipient)
        user = info.get("user") or {}
        if user.get("deleted") or user.get("is_bot"):
            self._gone(lane, row, "deactivated" if user.get("deleted") else "is_bot")
            raise _Handled
        with self._transaction() as session:
            delivery.mark_verified(
                session=session,
                team_id=row.team_id,
                user_ids=[row.recipient],
                now=self._clock.now(),
                tz={row.recipient: str(user.get("tz") or "")},
            )

    def _maybe_sweep(self, lane: Lane, rows: list[OutboxRow]) -> None:
        """Many people to check at once: one paged users.list instead of users.info each."""
        lane.swept = True
        person_rows = [r for r in rows if (KINDS.get(r.kind) or KINDS_DEFAULT).to_person]
        now = self._clock.now()
        with self._transaction() as session:
            states = delivery.recipient_states(
                session=session, team_id=lane.team_id, user_ids=sorted({r.recipient for r in person_rows})
            )
            last = delivery.directory_checked_at(session=session, team_id=lane.team_id)
        stale = [s for s in states.values() if s.needs_check(now)]
        if len(stale) < SWEEP_AT or (last is not None and now - last < delivery.VERIFY_EVERY):
            return
        active: dict[str, str] = {}
        deleted: set[str] = set()
        cursor = None
        while True:
            try:
                page = lane.client.users_list(limit=200, cursor=cursor)
            except Exception as error:
                failure = classify(error)
                if failure.verdict == Verdict.RATE_LIMITED and failure.wait <= INLINE_WAIT:
                    time.sleep(self._clock.real_seconds(failure.wait))
                    continue
                logger.warning("users.list sweep in %s stopped: %s", lane.team_id, failure.error)
                return  # each person is then checked with users.info
            for member in page.get("members") or []:
                user_id = member.get("id")
                if not isinstance(user_id, str):
                    continue
                if member.get("deleted"):
                    deleted.add(user_id)
                else:
                    active[user_id] = str(member.get("tz") or "")
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        with self._transaction() as session:
            known = delivery.opted_in(session=session, team_id=lane.team_id, user_ids=set(active) | deleted)
            verified = sorted(known & set(active))
            delivery.mark_verified(
                session=session,
                team_id=lane.team_id,
                user_ids=verified,
                now=now,
                tz={u: active[u] for u in verified},
            )
            for user_id in sorted(known & deleted):
                self._mark_gone(session, lane.team_id, user_id, "deactivated")
            delivery.mark_directory_checked(session=session, team_id=lane.team_id, now=now)

    def _already_in_slack(self, lane: Lane, row: OutboxRow, target: str) -> bool:
        """Step 5 of the module doc: is a message with this row's key already there?"""
        channel = target
        if channel.startswith(("U", "W")):
            opened = self._call(lane, row, lane.client.conversations_open, users=row.recipient)
            channel = str(opened["channel"]["id"])
            with self._transaction() as session:
                delivery.remember_dm_channel(
                    session=session, team_id=row.team_id, user_id=row.recipient, channel_id=channel
                )
        cursor = None
        for _ in range(HISTORY_PAGES):
            try:
                page = lane.client.conversations_history(
                    channel=channel, limit=100, include_all_metadata=True, cursor=cursor
                )
            except Exception as error:
                failure = classify(error)
                if failure.verdict == Verdict.STALE_CHANNEL:
                    return False  # no such conversation, so nothing was posted in it
                self._failed(lane, row, failure, posting=False, target=channel)
                raise _Handled from None
            for message in page.get("messages") or []:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == METADATA_EVENT and payload.get("key") == row.key:
                    with self._transaction() as session:
                        outbox.mark_sent(
                            session=session,
                            row_id=row.id,
                            owner=self._owner,
                            channel_id=channel,
                            ts=str(message.get("ts")),
                            now=self._clock.now(),
                        )
                    self.stats.add("found_after_crash")
                    return True
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not page.get("has_more") or not cursor:
                break
        return False

    def _call(self, lane: Lane, row: OutboxRow, method: Callable[..., Any], **kwargs: Any) -> Any:
        """A Slack call made on the way to sending (not the post itself)."""
        try:
            return method(**kwargs)
        except Exception as error:
            self._failed(lane, row, classify(error), posting=False, target=row.recipient)
            raise _Handled from None

    # --- failures ------------------------------------------------------------------------

    def _failed(self, lane: Lane, row: OutboxRow, failure: Failure, *, posting: bool, target: str) -> None:
        """Act on a failed call. `posting`: it was the chat.postMessage itself, so a definite
        answer proves the message is not in Slack and the row is no longer in doubt."""
        now = self._clock.now()
        not_sent = posting and not failure.maybe_done
        if failure.verdict == Verdict.RATE_LIMITED:
            with self._transaction() as session:
                outbox.reschedule(
                    session=session,
                    row_id=row.id,
                    owner=self._owner,
                    due_at=now + timedelta(seconds=failure.wait),
                    reason=failure.error,
                    not_sent=not_sent,
                )
            lane.pacer.limited(self._clock.seconds(), failure.wait)
            self.stats.add("rate_limited")
        elif failure.verdict == Verdict.AUTH:
            self._stop(lane, row, failure.error, not_sent=not_sent)
        elif failure.verdict == Verdict.GONE and KINDS.get(row.kind, KINDS_DEFAULT).to_person:
            if failure.error == "account_inactive" and self._token_refused(lane):
                self._stop(lane, row, "account_inactive", not_sent=not_sent)
            else:
                self._gone(lane, row, failure.error)
        elif failure.verdict == Verdict.STALE_CHANNEL and target != row.recipient and posting:
            # The cached DM channel is no more: forget it and post to the user id next time.
            with self._transaction() as session:
                delivery.forget_dm_channel(session=session, team_id=row.team_id, user_id=row.recipient)
                outbox.reschedule(
                    session=session,
                    row_id=row.id,
                    owner=self._owner,
                    due_at=now,
                    reason=failure.error,
                    not_sent=True,
                )
        elif (
            failure.verdict == Verdict.STALE_CHANNEL
            and posting
            and KINDS.get(row.kind, KINDS_DEFAULT).to_person
        ):
            self._gone(lane, row, "user_not_found")
        elif failure.verdict == Verdict.TRANSIENT:
            with self._transaction() as session:
                when = outbox.retry_later(
                    session=session,
                    row_id=row.id,
                    owner=self._owner,
                    now=now,
                    reason=failure.error,
                    not_sent=not_sent,
                )
            if when is None:
                logger.error(
                    "gave up on outbox row %s (%s) after repeated %s", row.id, row.kind, failure.error
                )
                self.stats.add("failed")
            else:
                self.stats.add("retried")
        else:
            with self._transaction() as session:
                self._settle(session, row, "failed", failure.error, not_sent=not_sent)
            logger.error(
                "Slack refused outbox row %s (%s) in %s: %s", row.id, row.kind, row.team_id, failure.error
            )
            self.stats.add("failed")

    def _stop(self, lane: Lane, row: OutboxRow, error: str, *, not_sent: bool) -> None:
        with self._transaction() as session:
            outbox.reschedule(
                session=session,
                row_id=row.id,
                owner=self._owner,
                due_at=row.due_at,
                reason=error,
                not_sent=not_sent,
            )
            newly = delivery.stop_workspace(
                session=session, team_id=lane.team_id, reason=error, now=self._clock.now()
            )
        lane.stopped = True
        if newly:
            logger.error(
                "SLACK REFUSED THE TOKEN for workspace %s (%s): sending there is STOPPED and its messages "
                "are kept until the token works again (it is retried hourly). Reinstall the app or "
                "fix SLACK_BOT_TOKEN.",
                lane.team_id,
                error,
            )
            self.stats.stopped_workspaces.append(lane.team_id)

    def _token_refused(self, lane: Lane) -> bool:
        """account_inactive can mean the recipient or our own token: auth.test tells which."""
        try:
            lane.client.auth_test()
        except Exception as error:
            return classify(error).verdict == Verdict.AUTH
        return False

    def _gone(self, lane: Lane, row: OutboxRow, reason: str) -> None:
        with self._transaction() as session:
            self._mark_gone(session, row.team_id, row.recipient, reason)
            self._settle(session, row, "cancelled", "recipient_gone")
        self.stats.add("recipient_gone")

    def _mark_gone(self, session: Session, team_id: str, user_id: str, reason: str) -> None:
        outcome = delivery.mark_gone(
            session=session, team_id=team_id, user_id=user_id, reason=reason, now=self._clock.now()
        )
        if outcome.newly_gone:
            logger.warning(
                "person %s in %s can no longer be reached (%s): stopped sending%s",
                user_id,
                team_id,
                reason,
                ", ended their pair and told their peer" if outcome.ended else "",
            )

    def _settle(
        self, session: Session, row: OutboxRow, status: str, reason: str, *, not_sent: bool = True
    ) -> None:
        if status == OutboxStatus.CANCELLED:
            outbox.cancel(session=session, row_id=row.id, owner=self._owner, reason=reason)
            self.stats.add("cancelled")
        else:
            outbox.fail(session=session, row_id=row.id, owner=self._owner, reason=reason)


KINDS_DEFAULT = MessageKind("unknown", lambda session, row, now: None)
