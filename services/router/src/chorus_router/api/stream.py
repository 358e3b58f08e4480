"""Server-Sent Events: live case changes (and your notifications), filtered to what you may see."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from chorus_common.auth import Principal
from chorus_common.resume import LastEventIdQuery, resume_point
from chorus_common.stream_api import STREAM_ROUTE, stream_router
from chorus_common.tickets import stream_caller
from fastapi import Depends, Query, Request
from sse_starlette.sse import EventSourceResponse

from chorus_router.api.deps import CoreDep
from chorus_router.hub import Item

SCOPE = "cases:read"
router = stream_router(SCOPE)
StreamCaller = Annotated[Principal, Depends(stream_caller(SCOPE))]


@router.get("/stream", response_class=EventSourceResponse, **STREAM_ROUTE)
async def stream(
    request: Request,
    principal: StreamCaller,
    core: CoreDep,
    team: Annotated[str | None, Query(description="only cases involving this team")] = None,
    last_event_id: LastEventIdQuery = None,
) -> EventSourceResponse:
    """`case.*` events as the case stands after each change; `notification` events for you.

    Resume after a reconnect with the ``Last-Event-ID`` header (or ``last_event_id``): the
    events after it among the last 2,000 this router published are replayed first (at most
    that many, filtered to what you may see; an id that is not one of ours replays nothing).
    A browser authenticates with ``ticket`` (``POST /v1/stream/tickets``) instead of the
    Authorization header. Every event type and its payload: docs/streams.md.
    """

    def accept(item: Item) -> bool:
        if item.event == "notification":
            return principal.is_admin or (
                principal.member_id is not None and item.member == principal.member_id
            )
        if not principal.can_see_any(item.teams):
            return False
        return team is None or team in item.teams

    sub = core.hub.subscribe(accept, resume_point(request, last_event_id))

    async def events() -> AsyncIterator[dict[str, Any]]:
        try:
            while not sub.overflowed:
                try:
                    item = await asyncio.wait_for(sub.queue.get(), timeout=5)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    continue
                yield {
                    "id": str(item.seq),
                    "event": item.event,
                    "data": orjson.dumps(item.data).decode(),
                }
        finally:
            core.hub.unsubscribe(sub)

    return EventSourceResponse(events(), ping=15)
