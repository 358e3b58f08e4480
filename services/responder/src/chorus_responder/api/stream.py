"""``GET /v1/stream``: live reply activity (drafting, approvals, sending, sent) as
Server-Sent Events, limited to the cases the caller may see."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from chorus_common.auth import Principal
from chorus_common.resume import LastEventIdQuery, resume_point
from chorus_common.stream_api import STREAM_ROUTE, stream_router
from chorus_common.tickets import stream_caller
from fastapi import Depends, Request
from fastapi.responses import StreamingResponse

from chorus_responder.api.deps import BroadcasterDep

SCOPE = "replies:read"
router = stream_router(SCOPE)
HEARTBEAT_SECONDS = 15.0
StreamCaller = Annotated[Principal, Depends(stream_caller(SCOPE))]


def visible_to(principal: Principal) -> Any:
    def accept(event: dict[str, Any]) -> bool:
        teams = [event.get("team"), *event.get("collaborators", [])]
        if principal.can_see_any(teams):
            return True
        return any(t in principal.teams for t in event.get("approver_teams", []))

    return accept


@router.get("/stream", response_class=StreamingResponse, **STREAM_ROUTE)
async def stream(
    request: Request,
    principal: StreamCaller,
    broadcaster: BroadcasterDep,
    last_event_id: LastEventIdQuery = None,
) -> StreamingResponse:
    """`reply.*` events for the replies of cases you may see. Resume after a reconnect with
    the ``Last-Event-ID`` header (or ``last_event_id``): the events after it among the last
    2,000 this responder published are replayed first. A browser authenticates with
    ``ticket`` (``POST /v1/stream/tickets``). Every event type and its payload:
    docs/streams.md."""
    queue = broadcaster.subscribe(visible_to(principal), resume_point(request, last_event_id))

    async def events() -> AsyncIterator[bytes]:
        try:
            yield b": connected\n\n"
            while not await request.is_disconnected():
                try:
                    seq, event = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield b": ping\n\n"
                    continue
                yield b"id: %d\nevent: %s\ndata: %s\n\n" % (
                    seq,
                    event["type"].encode(),
                    orjson.dumps(event),
                )
        finally:
            broadcaster.unsubscribe(queue)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
