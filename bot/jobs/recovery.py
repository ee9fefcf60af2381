"""Crash recovery: before re-sending an attempt whose outcome is unknown, look for it.

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
   proves nothing was posted (most `ok: false` bodies, a 429) clears `in_doubt`; no answer at
   all (a dropped connection, a timeout, a 5xx page, a worker killed before it could write
   the answer down) and the answers Slack may give after posting (`internal_error`,
   `fatal_error`, `service_unavailable`, `request_timeout`) leave it set.
5. A row found in doubt is never simply sent again. The worker first reads the latest
   messages of its conversation (`find_posted`: `conversations.history` with
   `include_all_metadata`); if one carries the row's key, the row is recorded as sent with
   that message's ts. Only when none does is it sent again.

Why that gives no duplicates: a message can reach Slack only after step 2 committed, so
every row whose message might be in Slack is in doubt until a definite answer is written;
and an in-doubt row is re-sent only after Slack showed that its key is not in the
conversation. Two workers never act on one row at once: the lease (5 minutes, renewed at
step 2) is far longer than one attempt (the HTTP timeout is 10 s), and every write after a
claim checks that the lease is still the writer's. slack_sdk's automatic re-send after a
dropped connection is switched off (bot/jobs/slack.py): it would re-send without looking.
"""

from __future__ import annotations

from slack_sdk import WebClient

from .slack import METADATA_EVENT, Verdict, classify

HISTORY_PAGES = 3


def find_posted(client: WebClient, *, channel: str, key: str) -> str | None:
    """The ts of the message carrying this outbox key among the conversation's latest, or
    None. Web API failures are raised, except a conversation that does not exist (it holds
    nothing)."""
    cursor = None
    for _ in range(HISTORY_PAGES):
        try:
            page = client.conversations_history(
                channel=channel, limit=100, include_all_metadata=True, cursor=cursor
            )
        except Exception as error:
            if classify(error).verdict == Verdict.STALE_CHANNEL:
                return None
            raise
        for message in page.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_EVENT and payload.get("key") == key:
                return str(message.get("ts"))
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not page.get("has_more") or not cursor:
            break
    return None
