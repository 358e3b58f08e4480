"""The registry of event types: each ``type`` with its payload model and topic, the single
place a new event type is registered."""

from __future__ import annotations

from pydantic import BaseModel

from chorus_common.contracts import topics
from chorus_common.contracts.events import (
    AlertEvent,
    CaseEvent,
    DeadLetter,
    Frozen,
    PostReceived,
    ReplyEvent,
)


class EventType(Frozen):
    topic: str
    payload: type[BaseModel]


EVENT_TYPES: dict[str, EventType] = {
    "post.received": EventType(topic=topics.POSTS, payload=PostReceived),
    **{
        t: EventType(topic=topics.CASES, payload=CaseEvent)
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
    },
    **{
        t: EventType(topic=topics.REPLIES, payload=ReplyEvent)
        for t in (
            "reply.drafted",
            "reply.approval_requested",
            "reply.approved",
            "reply.rejected",
            "reply.sent",
            "reply.failed",
        )
    },
    "alert.buzz": EventType(topic=topics.ALERTS, payload=AlertEvent),
    "alert.sla": EventType(topic=topics.ALERTS, payload=AlertEvent),
    "dead_letter": EventType(topic=topics.DLQ, payload=DeadLetter),
}
