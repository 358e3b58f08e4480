"""Consumer handlers of the responder: its views of cases and posts, applied a batch at a time.

Each consumer batch becomes one upsert statement per table: a new case or post is inserted, a
known one is replaced only by a version (revision) at least as high as the stored one, so
redeliveries and out-of-order events change nothing (:mod:`chorus_common.persistence.bulk`).
"""

from __future__ import annotations

from typing import Any

from chorus_common.contracts import topics
from chorus_common.contracts.event_types import EVENT_TYPES
from chorus_common.contracts.events import CaseEvent, PostReceived
from chorus_common.messaging.consuming import Handler, Transaction
from chorus_common.messaging.envelope import Envelope
from chorus_common.persistence import bulk
from chorus_common.persistence.db import newest_by_key

from chorus_responder import models, native

# Every case.* type: the view follows whatever changed the case.
CASE_TYPES = frozenset(t for t, kind in EVENT_TYPES.items() if kind.topic == topics.CASES)
POST_TYPES = frozenset({"post.received"})


def case_row(event: Envelope) -> dict[str, Any]:
    case: CaseEvent = event.parsed()
    return {
        "case_id": case.case_id,
        "thread_id": case.thread_id,
        "status": case.status,
        "team": case.team,
        "assignee": case.assignee,
        "priority": case.priority,
        "platform": case.platform,
        "channel": case.channel,
        "latest_post_id": case.latest_post_id,
        "tags": list(case.tags),
        "approvals_required": list(case.approvals_required),
        "collaborators": list(case.collaborators),
        "version": case.version,
        "updated_at": event.occurred_at,
    }


def post_row(event: Envelope) -> dict[str, Any]:
    received: PostReceived = event.parsed()
    post = received.post
    return {
        "post_id": post.id,
        "platform": post.platform,
        "channel": post.channel,
        "kind": post.kind,
        "native_id": post.native_id,
        "url": post.url,
        "thread_id": post.thread_id,
        "in_reply_to": post.in_reply_to,
        "author_id": post.author.id,
        "author_handle": post.author.handle,
        "author_display_name": post.author.display_name,
        "rating": post.rating,
        "text": post.text,
        "lang": post.lang,
        "created_at": post.created_at,
        "revision": received.revision,
    }


async def apply_case_events(events: list[Envelope], *, uow: Transaction) -> None:
    """Upsert the responder's view of the cases; keeps each case's highest version."""
    rows = newest_by_key([case_row(e) for e in events], "case_id", "version")
    stmt = bulk.upsert_newer(uow.dialect, models.case_view, "case_id", "version")
    await bulk.run_dicts(uow.session, stmt, rows)
    await native.record(events, uow=uow)


async def apply_posts(events: list[Envelope], *, uow: Transaction) -> None:
    """Upsert the responder's view of the posts it may answer; keeps the highest revision."""
    rows = newest_by_key([post_row(e) for e in events], "post_id", "revision")
    stmt = bulk.upsert_newer(uow.dialect, models.post_view, "post_id", "revision")
    await bulk.run_dicts(uow.session, stmt, rows)


# One handler table per consumer group (``chorus-responder-<name>``).
CONSUMERS: dict[str, dict[str, Handler[Transaction]]] = {
    "cases": dict.fromkeys(CASE_TYPES, apply_case_events),
    "posts": dict.fromkeys(POST_TYPES, apply_posts),
}
