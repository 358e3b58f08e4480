"""reply.*, alert.* and dead_letter events: reply facts and event counts."""

from __future__ import annotations

from typing import Any

from chorus_common.events import AlertEvent, DeadLetter, Envelope, ReplyEvent
from chorus_common.runtime import Runtime
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics import models, store
from chorus_analytics.domain.facts import add_event
from chorus_analytics.handle_cases import earliest, upsert_member

# Which reply timestamp each event type sets.
REPLY_TIME = {
    "reply.drafted": "drafted_at",
    "reply.approval_requested": "approval_requested_at",
    "reply.approved": "approved_at",
    "reply.rejected": "rejected_at",
    "reply.sent": "sent_at",
    "reply.failed": "failed_at",
}


async def _count(
    session: AsyncSession, runtime: Runtime, event: Envelope, dims: tuple[str, str, str, str, str]
) -> None:
    add_event(store.pending(session).events, event.occurred_at, dims)


async def on_reply_event(event: Envelope, *, session: AsyncSession, runtime: Runtime) -> None:
    """Record when the reply reached each step (earliest wins) and count the event."""
    reply: ReplyEvent = event.parsed()
    at = event.occurred_at
    col = REPLY_TIME[event.type]
    t = models.replies
    team = reply.team
    if not team:
        c = models.cases
        team = (
            await session.execute(select(c.c.team).where(c.c.case_id == reply.case_id))
        ).scalar_one_or_none()
    team = team or ""
    cur = (await session.execute(select(t).where(t.c.reply_id == reply.reply_id))).first()
    if cur is None:
        row: dict[str, Any] = {
            "reply_id": reply.reply_id,
            "case_id": reply.case_id,
            "team": team,
            "platform": reply.platform or "",
            "channel": reply.channel or "",
            "author_member_id": reply.author_member_id,
            "status": reply.status,
            "status_at": at,
            "error_code": reply.error_code,
            col: at,
        }
        if reply.drafted_at is not None:
            row["drafted_at"] = earliest(reply.drafted_at, row.get("drafted_at"))
        await session.execute(insert(t).values(**row))
    else:
        values: dict[str, Any] = {col: earliest(at, getattr(cur, col))}
        if reply.drafted_at is not None:
            values["drafted_at"] = earliest(reply.drafted_at, cur.drafted_at)
        if earliest(cur.status_at, at) == cur.status_at:
            values.update(status=reply.status, status_at=at, error_code=reply.error_code)
        if reply.author_member_id and not cur.author_member_id:
            values["author_member_id"] = reply.author_member_id
        await session.execute(update(t).where(t.c.reply_id == reply.reply_id).values(**values))
    await upsert_member(session, runtime.dialect, reply.author_member_id, team, at)
    detail = (reply.error_code or "")[:64] if event.type == "reply.failed" else ""
    await _count(session, runtime, event, (event.type, team, reply.platform or "", "", detail))


async def on_alert(event: Envelope, *, session: AsyncSession, runtime: Runtime) -> None:
    """Count alerts by type, state and subject kind (bounded detail)."""
    alert: AlertEvent = event.parsed()
    kind = "keyword" if alert.keyword else "channel" if alert.channel else "other"
    await _count(
        session, runtime, event, (event.type, alert.team or "", "", "", f"{alert.state}:{kind}")
    )


async def on_dead_letter(event: Envelope, *, session: AsyncSession, runtime: Runtime) -> None:
    """Count dead letters by source and error code."""
    dl: DeadLetter = event.parsed()
    detail = f"{dl.source[:200]}|{dl.error_code[:64]}"
    await _count(session, runtime, event, ("dead_letter", "", "", "", detail))
