"""Sending the outbox: claim, ask, post, record, for every workspace in parallel.

For each due row the dispatcher:

1. **claims** it under a lease (bot/services/outbox.py);
2. **asks** bot/services/delivery_policy.decide whether it goes now — opted in, not gone, not
   paused, in working hours, within the person's message budget — and does what it says:
   send, defer to a given instant, or cancel. Decisions are values, not exceptions;
3. **posts** it, after checking the person is still on Slack (users.info, trusted for a
   day; bot/jobs/people.py) and, for an attempt whose outcome is unknown, looking for it in
   the conversation first (bot/jobs/recovery.py explains the exactly-once protocol);
4. **records** Slack's answer. Failures are mapped to what they mean by one table
   (bot/jobs/slack.py, error → verdict) and one `match` below (verdict → what happens):
   rate limits reschedule, ambiguous errors stay in doubt, transient ones back off
   (30 s, 1 min, … hourly), "recipient gone" stops messages to that person, ends their pair
   and tells the peer kindly (bot/services/delivery.py), auth errors stop the workspace.

Pacing lives in bot/jobs/pacing.py: each workspace is a lane with its own pace; worker
threads take whichever lane is ready, send a few of its messages, and put it back.

DM channel ids come back from the first chat.postMessage to a user id and are cached;
conversations.open (Tier 3) is needed only for group DMs and to find a conversation for the
history check, and is cached too.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.services import delivery, outbox
from bot.services.delivery_facts import program_facts, recipient_facts
from bot.services.delivery_policy import Cancel, Defer, Program, decide
from bot.services.message_kinds import policy_of
from bot.services.outbox import OutboxRow

from . import people
from .clock import TickClock
from .pacing import Lane
from .recovery import find_posted
from .registry import KINDS, Content
from .slack import METADATA_EVENT, Failure, Verdict, classify

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
CLAIM_BATCH = 50
SENDS_PER_TURN = 20
SWEEP_AT = 10  # this many people to check at once: one users.list sweep instead of users.info each


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


@dataclass(frozen=True)
class _Ready:
    """A row that may go: its content, and what is known about its recipient."""

    content: Content
    to_person: bool
    state: delivery.RecipientState | None
    started: bool  # the attempt is already marked in doubt


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
        self._programs: dict[str, Program] = {}
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
        with self._db_turn, self._sessions.begin() as session:
            yield session

    # --- one row: claim, ask, post, record ------------------------------------------------

    def _deliver(self, lane: Lane, row: OutboxRow) -> None:
        ready = self._prepare(row)
        if ready is None:
            return
        stale = ready.state is not None and ready.state.needs_check(self._clock.now())
        if stale and not self._check_person(lane, row):
            return
        target = self._target(lane, row, ready)
        if target is None:
            return
        if row.in_doubt and self._already_in_slack(lane, row, target) is not False:
            return  # found and recorded, or the look failed and was dealt with
        if not ready.started and not self._start(row):
            return
        self._post(lane, row, ready, target)

    def _prepare(self, row: OutboxRow) -> _Ready | None:
        """Ask decide() and build the message, in one transaction. When no Slack call has to
        come before the post, the attempt is started here too (saving a transaction)."""
        now = self._clock.now()
        with self._transaction() as session:
            kind, policy = KINDS.get(row.kind), policy_of(row.kind)
            if kind is None or policy is None:
                logger.error("outbox row %s has an unknown kind %r; giving up on it", row.id, row.kind)
                self._settle(session, row, outbox.FAILED, "unknown_kind")
                return None
            recipient = (
                recipient_facts(session=session, team_id=row.team_id, user_id=row.recipient, now=now)
                if policy.to_person
                else None
            )
            decision = decide(row, recipient, self._program(session, row.team_id), now)
            if isinstance(decision, Cancel):
                self._settle(session, row, outbox.CANCELLED, decision.reason)
                return None
            if isinstance(decision, Defer):
                outbox.reschedule(
                    session=session,
                    row_id=row.id,
                    owner=self._owner,
                    due_at=decision.until,
                    reason=decision.reason,
                    not_sent=False,
                )
                self.stats.add("deferred")
                return None
            content = kind.render_safely(session, row, now)
            if content is None:
                self._settle(session, row, outbox.CANCELLED, "nothing_to_send")
                return None
            state = (
                delivery.recipient_states(session=session, team_id=row.team_id, user_ids=[row.recipient])[
                    row.recipient
                ]
                if policy.to_person
                else None
            )
            started = state is not None and not state.needs_check(now) and not row.in_doubt
            if started and not outbox.start_attempt(
                session=session, row_id=row.id, owner=self._owner, now=now, lease=LEASE
            ):
                self.stats.add("lease_lost")
                return None
        return _Ready(content, policy.to_person, state, started)

    def _program(self, session: Session, team_id: str) -> Program:
        program = self._programs.get(team_id)
        if program is None:
            program = self._programs[team_id] = program_facts(session=session, team_id=team_id)
        return program

    def _start(self, row: OutboxRow) -> bool:
        with self._transaction() as session:
            started = outbox.start_attempt(
                session=session, row_id=row.id, owner=self._owner, now=self._clock.now(), lease=LEASE
            )
        if not started:
            self.stats.add("lease_lost")
        return started

    def _post(self, lane: Lane, row: OutboxRow, ready: _Ready, target: str) -> None:
        try:
            response = lane.client.chat_postMessage(
                channel=target,
                text=ready.content.text,
                blocks=ready.content.blocks,
                metadata={"event_type": METADATA_EVENT, "event_payload": {"key": row.key}},
                unfurl_links=False,
                unfurl_media=False,
            )
        except Exception as error:
            self._failed(lane, row, classify(error), posting=True, target=target)
            return
        channel, ts = str(response["channel"]), str(response["ts"])
        with self._transaction() as session:
            if not self._mark_sent(session, row, channel, ts):
                logger.warning("outbox row %s was posted after its lease ended", row.id)
            if ready.to_person and target != channel:
                # Posted to the user id: Slack answered with the DM channel; keep it.
                delivery.remember_dm_channel(
                    session=session, team_id=row.team_id, user_id=row.recipient, channel_id=channel
                )
        lane.pacer.sent(self._clock.seconds())
        self.stats.add("sent")

    # --- before sending ------------------------------------------------------------------

    def _target(self, lane: Lane, row: OutboxRow, ready: _Ready) -> str | None:
        """Where to post: a person's cached DM channel (else their user id, which Slack
        delivers to the app's DM), a channel id, or a group DM opened for its members who
        are still on Slack. None when the row was dealt with instead."""
        if row.channel_id:
            return row.channel_id
        if ready.state is not None:
            return ready.state.dm_channel_id or row.recipient
        if "," not in row.recipient:
            return row.recipient
        members = row.recipient.split(",")
        with self._transaction() as session:
            states = delivery.recipient_states(session=session, team_id=row.team_id, user_ids=members)
            present = [u for u in members if not states[u].gone]
            if len(present) < 2:
                self._settle(session, row, outbox.CANCELLED, "recipient_gone")
                return None
        try:
            opened = lane.client.conversations_open(users=",".join(present))
        except Exception as error:
            failure = classify(error)
            if failure.verdict == Verdict.GONE:
                self._find_who_left(lane, row, present, failure.error)
            else:
                self._failed(lane, row, failure, posting=False, target=row.recipient)
            return None
        channel = str(opened["channel"]["id"])
        with self._transaction() as session:
            outbox.remember_channel(session=session, row_id=row.id, owner=self._owner, channel_id=channel)
        return channel

    def _find_who_left(self, lane: Lane, row: OutboxRow, members: list[str], error: str) -> None:
        """A group DM was refused (`user_disabled`: one member is deactivated, but Slack does
        not say who). users.info finds them; only they are marked gone, and the row is tried
        again at once for whoever is left (bot/services/delivery.mark_gone re-plans the pair)."""
        found = people.look_up(lane.client, members)
        if isinstance(found, Failure):
            self._failed(lane, row, found, posting=False, target=row.recipient)
            return
        now = self._clock.now()
        with self._transaction() as session:
            delivery.mark_verified(
                session=session, team_id=row.team_id, user_ids=sorted(found.active), now=now, tz=found.active
            )
            for user_id, reason in found.gone.items():
                self._mark_gone(session, row.team_id, user_id, reason)
            if found.gone:
                outbox.reschedule(
                    session=session, row_id=row.id, owner=self._owner, due_at=now, reason=error, not_sent=True
                )
                self.stats.add("recipient_gone", len(found.gone))
        if not found.gone:
            # Slack said someone is disabled and nobody is: try again later, like any hiccup.
            self._failed(lane, row, Failure(Verdict.TRANSIENT, error), posting=False, target=row.recipient)

    def _check_person(self, lane: Lane, row: OutboxRow) -> bool:
        """users.info: a deactivated person (`deleted`) gets nothing more (Slack itself still
        accepts DMs to them). Their answer is trusted for a day. False: dealt with."""
        found = people.look_up(lane.client, [row.recipient])
        if isinstance(found, Failure):
            self._failed(lane, row, found, posting=False, target=row.recipient)
            return False
        if row.recipient in found.gone:
            self._gone(lane, row, found.gone[row.recipient])
            return False
        with self._transaction() as session:
            delivery.mark_verified(
                session=session,
                team_id=row.team_id,
                user_ids=[row.recipient],
                now=self._clock.now(),
                tz=found.active,
            )
        return True

    def _maybe_sweep(self, lane: Lane, rows: list[OutboxRow]) -> None:
        """Many people to check at once: one paged users.list instead of users.info each."""
        lane.swept = True
        person_rows = [r for r in rows if (policy := policy_of(r.kind)) is not None and policy.to_person]
        now = self._clock.now()
        with self._transaction() as session:
            states = delivery.recipient_states(
                session=session, team_id=lane.team_id, user_ids=sorted({r.recipient for r in person_rows})
            )
            last = delivery.directory_checked_at(session=session, team_id=lane.team_id)
        stale = [s for s in states.values() if s.needs_check(now)]
        if len(stale) < SWEEP_AT or (last is not None and now - last < delivery.VERIFY_EVERY):
            return
        found = people.sweep(lane.client, real_seconds=self._clock.real_seconds)
        if isinstance(found, str):
            logger.warning("users.list sweep in %s stopped: %s", lane.team_id, found)
            return  # each person is then checked with users.info
        with self._transaction() as session:
            known = delivery.opted_in(
                session=session, team_id=lane.team_id, user_ids=set(found.active) | set(found.gone)
            )
            verified = sorted(known & set(found.active))
            delivery.mark_verified(
                session=session,
                team_id=lane.team_id,
                user_ids=verified,
                now=now,
                tz={u: found.active[u] for u in verified},
            )
            for user_id in sorted(known & set(found.gone)):
                self._mark_gone(session, lane.team_id, user_id, found.gone[user_id])
            delivery.mark_directory_checked(session=session, team_id=lane.team_id, now=now)

    def _already_in_slack(self, lane: Lane, row: OutboxRow, target: str) -> bool | None:
        """Is a message with this row's key already there (bot/jobs/recovery.py)? True: yes,
        and it is recorded as sent; False: no, send it; None: the look failed (dealt with)."""
        channel = target
        try:
            if channel.startswith(("U", "W")):
                channel = str(lane.client.conversations_open(users=row.recipient)["channel"]["id"])
                with self._transaction() as session:
                    delivery.remember_dm_channel(
                        session=session, team_id=row.team_id, user_id=row.recipient, channel_id=channel
                    )
            ts = find_posted(lane.client, channel=channel, key=row.key)
        except Exception as error:
            self._failed(lane, row, classify(error), posting=False, target=channel)
            return None
        if ts is None:
            return False
        with self._transaction() as session:
            self._mark_sent(session, row, channel, ts)
        self.stats.add("found_after_crash")
        return True

    def _mark_sent(self, session: Session, row: OutboxRow, channel: str, ts: str) -> bool:
        """Record the row as sent at (channel, ts); False when its lease was no longer ours."""
        return outbox.mark_sent(
            session=session,
            row_id=row.id,
            owner=self._owner,
            channel_id=channel,
            ts=ts,
            now=self._clock.now(),
        )

    # --- failures: what each verdict of bot/jobs/slack.py means -----------------------------

    def _failed(self, lane: Lane, row: OutboxRow, failure: Failure, *, posting: bool, target: str) -> None:
        """Act on a failed call. `posting`: it was the chat.postMessage itself, so a definite
        answer proves the message is not in Slack and the row is no longer in doubt."""
        not_sent = posting and not failure.maybe_done
        policy = policy_of(row.kind)
        to_person = policy is not None and policy.to_person
        match failure.verdict:
            case Verdict.RATE_LIMITED:  # later, never never
                self._reschedule(row, failure.error, after=failure.wait, not_sent=not_sent)
                lane.pacer.limited(self._clock.seconds(), failure.wait)
                self.stats.add("rate_limited")
            case Verdict.AUTH:  # the token: stop the whole workspace, keep its messages
                self._stop(lane, row, failure.error, not_sent=not_sent)
            case Verdict.GONE if (
                to_person and failure.error == "account_inactive" and self._token_refused(lane)
            ):
                self._stop(lane, row, "account_inactive", not_sent=not_sent)
            case Verdict.GONE if to_person:  # nobody there: stop sending to them, tell the peer
                self._gone(lane, row, failure.error)
            case Verdict.STALE_CHANNEL if posting and target != row.recipient:
                # The cached DM channel is no more: forget it and post to the user id next time.
                with self._transaction() as session:
                    delivery.forget_dm_channel(session=session, team_id=row.team_id, user_id=row.recipient)
                self._reschedule(row, failure.error, after=0.0, not_sent=True)
            case Verdict.STALE_CHANNEL if posting and to_person:  # no DM for that user id
                self._gone(lane, row, "user_not_found")
            case Verdict.TRANSIENT:  # back off; in doubt stays set when Slack may have posted
                with self._transaction() as session:
                    when = outbox.retry_later(
                        session=session,
                        row_id=row.id,
                        owner=self._owner,
                        now=self._clock.now(),
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
            case _:  # refused for good
                with self._transaction() as session:
                    self._settle(session, row, outbox.FAILED, failure.error, not_sent=not_sent)
                logger.error(
                    "Slack refused outbox row %s (%s) in %s: %s", row.id, row.kind, row.team_id, failure.error
                )
                self.stats.add("failed")

    def _reschedule(self, row: OutboxRow, reason: str, *, after: float, not_sent: bool) -> None:
        with self._transaction() as session:
            outbox.reschedule(
                session=session,
                row_id=row.id,
                owner=self._owner,
                due_at=self._clock.now() + timedelta(seconds=after),
                reason=reason,
                not_sent=not_sent,
            )

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
            failure = classify(error)
            # auth.test is about our token alone: account_inactive there is the token's.
            return failure.verdict == Verdict.AUTH or failure.error == "account_inactive"
        return False

    def _gone(self, lane: Lane, row: OutboxRow, reason: str) -> None:
        with self._transaction() as session:
            self._mark_gone(session, row.team_id, row.recipient, reason)
            self._settle(session, row, outbox.CANCELLED, "recipient_gone")
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
        if status == outbox.CANCELLED:
            outbox.cancel(session=session, row_id=row.id, owner=self._owner, reason=reason)
            self.stats.add("cancelled")
        else:
            outbox.fail(session=session, row_id=row.id, owner=self._owner, reason=reason)
