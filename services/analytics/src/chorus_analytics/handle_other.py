"""reply.*, alert.* and dead_letter events: reply facts and event counts."""

from __future__ import annotations

from typing import Any

from chorus_common.contracts.events import AlertEvent, DeadLetter, ReplyEvent
from chorus_common.messaging.envelope import Envelope, named_post_and_trace

from chorus_analytics.domain.facts import add_event
from chorus_analytics.handle_cases import earliest, upsert_member
from chorus_analytics.unit import Unit

# Which reply timestamp each event type sets.
REPLY_TIME = {
    "reply.drafted": "drafted_at",
    "reply.approval_requested": "approval_requested_at",
    "reply.approved": "approved_at",
    "reply.rejected": "rejected_at",
    "reply.sent": "sent_at",
    "reply.failed": "failed_at",
}


def _count(unit: Unit, event: Envelope, dims: tuple[str, str, str, str, str]) -> None:
    add_event(unit.deltas.events, event.occurred_at, dims)


async def on_reply_events(events: list[Envelope], *, uow: Unit) -> None:
    """Record when each reply reached each step (earliest wins) and count the events."""
    for event in events:
        await _reply_event(event, event.parsed(), uow)


async def _reply_event(event: Envelope, reply: ReplyEvent, unit: Unit) -> None:
    at = event.occurred_at
    col = REPLY_TIME[event.type]
    team = reply.team
    if not team:
        case = await unit.cases.get(reply.case_id)
        team = case["team"] if case else None
    team = team or ""
    cur = await unit.replies.get(reply.reply_id)
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
        unit.replies.put(row)
    else:
        row = {**cur, col: earliest(at, cur[col])}
        if reply.drafted_at is not None:
            row["drafted_at"] = earliest(reply.drafted_at, cur["drafted_at"])
        if cur["status_at"] <= at:  # the newest step gives the status
            row.update(status=reply.status, status_at=at, error_code=reply.error_code)
        if reply.author_member_id and not cur["author_member_id"]:
            row["author_member_id"] = reply.author_member_id
        unit.replies.put(row)
    await upsert_member(unit, reply.author_member_id, team, at)
    detail = (reply.error_code or "")[:64] if event.type == "reply.failed" else ""
    _count(unit, event, (event.type, team, reply.platform or "", "", detail))


async def on_alerts(events: list[Envelope], *, uow: Unit) -> None:
    """Count alerts by type, state and subject kind (bounded detail)."""
    for event in events:
        alert: AlertEvent = event.parsed()
        kind = "keyword" if alert.keyword else "channel" if alert.channel else "other"
        _count(uow, event, (event.type, alert.team or "", "", "", f"{alert.state}:{kind}"))


async def on_dead_letters(events: list[Envelope], *, uow: Unit) -> None:
    """Count dead letters by source and error code, and keep each one's origin and the post
    and trace it names (never its bytes or error text); idempotent by event id."""
    for event in events:
        _dead_letter(event, event.parsed(), uow)


def _dead_letter(event: Envelope, dl: DeadLetter, unit: Unit) -> None:
    detail = f"{dl.source[:200]}|{dl.error_code[:64]}"
    _count(unit, event, ("dead_letter", "", "", "", detail))
    post_id, trace_id = dl.post_id, event.trace_id
    if post_id is None and dl.original_b64:  # a dead letter of an older producer
        post_id = named_post_and_trace(dl.original())[0]
    unit.dead_letters.append(
        {
            "event_id": str(event.event_id),
            "at": event.occurred_at,
            "source": dl.source[:200],
            "code": dl.error_code[:64],
            "field": dl.field[:200] if dl.field else None,
            "post_id": post_id,
            "trace_id": trace_id[:64],
            "original_topic": (dl.original_topic or "")[:64] or None,
            "original_partition": dl.original_partition,
            "original_offset": dl.original_offset,
        }
    )
