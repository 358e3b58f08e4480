"""What every reply endpoint does around its step: find a visible reply, commit, answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chorus_common.auth import Principal
from chorus_common.messaging.envelope import Envelope
from chorus_common.openapi import problem
from chorus_common.problems import not_found
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_responder import store
from chorus_responder.access import sees_as_approver, sees_case
from chorus_responder.api.views import reply_view
from chorus_responder.metrics import ResponderMetrics
from chorus_responder.stream import Broadcaster

Row = Mapping[str, Any]
NO_REPLY = problem(404, "reply_not_found")


async def visible_reply(
    session: AsyncSession, principal: Principal, reply_id: str
) -> tuple[Row, Row]:
    """The reply and its case; 404 when the caller may not see it."""
    reply = await store.get_reply(session, reply_id)
    if reply is None:
        raise not_found("reply", reply_id)
    case = await store.get_case(session, reply["case_id"])
    if case is None or not (sees_case(principal, case) or sees_as_approver(principal, [reply])):
        raise not_found("reply", reply_id)
    return reply, case


async def commit(
    request: Request,
    session: AsyncSession,
    events: list[Envelope],
    reply: Row,
    case: Row | None,
) -> None:
    """Publish the step's events with the transaction, then count and broadcast them."""
    runtime = request.app.state.runtime
    await runtime.publish(session, events)
    await session.commit()
    broadcaster: Broadcaster = request.app.state.broadcaster
    metrics: ResponderMetrics = request.app.state.responder_metrics
    for e in events:
        metrics.step(e.type.removeprefix("reply."), reply["adapter"])
        broadcaster.publish(store.activity(e.type, reply, case))


async def with_history(session: AsyncSession, reply: Row) -> dict[str, Any]:
    hist = await store.history_of(session, [reply["reply_id"]])
    return reply_view(reply, hist[reply["reply_id"]])
