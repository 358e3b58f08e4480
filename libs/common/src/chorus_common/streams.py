"""What the two live streams (``GET /v1/stream`` of the router and of the responder) send.

Each event an SSE client can receive is listed in :data:`STREAMS` with the model of its
``data``; the services build what they send from these models, and ``chorus streams`` writes
docs/streams.md from this table (chorus_common.streams_doc).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

from chorus_common.contracts import topics
from chorus_common.contracts.asyncapi import SUMMARIES, types_of
from chorus_common.contracts.events import CaseEvent, Frozen, ReplyStatus


class CaseChange(CaseEvent):
    """`case.*` on the router's stream: the case as it stands after the change."""

    event_id: str = Field(
        description="the id of the bus event: the same change, replayed, has the same id"
    )


NotificationKind = Literal[
    "sla_breached",
    "crisis_raised",
    "crisis_cleared",
    "idle_warning",
    "idle_escalated",
    "idle_reassigned",
    "idle_taken",
    "not_for_us",
    "rebalanced",
    "native_reply",
]


class Notification(Frozen):
    """`notification` on the router's stream: only to its member (and admins)."""

    member_id: str = Field(description="the member notified")
    kind: NotificationKind
    case_id: str | None = Field(default=None, description="the case it is about, if one")
    message: str = Field(description="for a person, in English")
    data: dict[str, Any] = Field(description="the facts behind the message, by kind")
    created_at: datetime


ReplyActivityType = Literal[
    "reply.drafting",
    "reply.drafted",
    "reply.approval_requested",
    "reply.approved",
    "reply.rejected",
    "reply.sending",
    "reply.sent",
    "reply.failed",
]


class ReplyActivity(Frozen):
    """Every event of the responder's stream: a step of a reply (never its text)."""

    type: ReplyActivityType = Field(description="the same as the SSE event name")
    reply_id: str
    case_id: str
    team: str | None = Field(description="the case's team")
    collaborators: tuple[str, ...] = Field(description="other teams working on the case")
    approver_teams: tuple[str, ...] = Field(description="teams whose approval the reply needs")
    member: str | None = Field(description="the reply's author")
    status: ReplyStatus = Field(description="the reply's status after this step")
    platform: str | None
    platform_url: str | None = Field(description="the reply on the platform, once sent")
    at: datetime = Field(description="when this step happened")


@dataclass(frozen=True)
class StreamEvent:
    name: str  # the SSE `event:` field
    model: type[BaseModel]  # the SSE `data:` field, as JSON
    summary: str


@dataclass(frozen=True)
class Stream:
    service: str
    scope: str
    description: str
    events: tuple[StreamEvent, ...]


_STEPS = {
    "reply.drafting": "A draft was saved (created or edited): someone is replying.",
    "reply.sending": "A reply is being sent on its platform.",
}

STREAMS: tuple[Stream, ...] = (
    Stream(
        "router",
        "cases:read",
        "Case changes of the cases you may see (your teams; all for admins and services), "
        "and your notifications. `?team=` keeps the cases involving one team.",
        (
            *(StreamEvent(t, CaseChange, SUMMARIES[t]) for t in types_of(topics.CASES)),
            StreamEvent("notification", Notification, "A notification for you (or any, as admin)."),
        ),
    ),
    Stream(
        "responder",
        "replies:read",
        "The steps of the replies on cases you may see, or that your team must approve.",
        tuple(
            StreamEvent(t, ReplyActivity, _STEPS.get(t) or SUMMARIES[t])
            for t in get_args(ReplyActivityType)
        ),
    ),
)


def event_names(service: str) -> tuple[str, ...]:
    """Every event name ``service``'s stream can send."""
    return next(tuple(e.name for e in s.events) for s in STREAMS if s.service == service)
