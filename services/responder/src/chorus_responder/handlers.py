"""Consumer handlers of the responder. One table, ``HANDLERS``, maps event types to handlers."""

from __future__ import annotations

from chorus_common.consume import EventHandler
from chorus_common.db import insert_ignore
from chorus_common.events import CaseEvent, Envelope, PostReceived
from chorus_common.runtime import Runtime
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_responder import models


async def on_case_event(event: Envelope, *, session: AsyncSession, runtime: Runtime) -> None:
    """Upsert the responder's view of the case; idempotent (keeps the highest case version)."""
    case: CaseEvent = event.parsed()
    row = {
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
    t = models.case_view
    current = (
        await session.execute(select(t.c.version).where(t.c.case_id == case.case_id))
    ).scalar_one_or_none()
    if current is None:
        await session.execute(insert_ignore(runtime.dialect, t, row, ["case_id"]))
    elif case.version >= current:
        await session.execute(update(t).where(t.c.case_id == case.case_id).values(**row))


async def on_post_received(event: Envelope, *, session: AsyncSession, runtime: Runtime) -> None:
    """Upsert the responder's view of a post it may answer; idempotent (keeps the highest revision)."""
    received: PostReceived = event.parsed()
    post = received.post
    row = {
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
    t = models.post_view
    current = (
        await session.execute(select(t.c.revision).where(t.c.post_id == post.id))
    ).scalar_one_or_none()
    if current is None:
        await session.execute(insert_ignore(runtime.dialect, t, row, ["post_id"]))
    elif received.revision >= current:
        await session.execute(update(t).where(t.c.post_id == post.id).values(**row))


CASE_HANDLERS: dict[str, EventHandler] = {
    t: on_case_event
    for t in (
        "case.opened",
        "case.assigned",
        "case.reassigned",
        "case.escalated",
        "case.sla_breached",
        "case.resolved",
        "case.reopened",
        "case.updated",
    )
}

POST_HANDLERS: dict[str, EventHandler] = {"post.received": on_post_received}

HANDLERS: dict[str, EventHandler] = {**CASE_HANDLERS, **POST_HANDLERS}
