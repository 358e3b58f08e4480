"""Server-Sent Events: live case changes (and your notifications), filtered to what you may see."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from chorus_common.openapi import EVENT_STREAM, header_param, request_headers
from fastapi import APIRouter, Query, Request
from sse_starlette.sse import EventSourceResponse

from chorus_router.api.deps import CasesReader, CoreDep
from chorus_router.hub import Item

router = APIRouter(prefix="/v1", tags=["stream"])


@router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses=EVENT_STREAM,
    openapi_extra=request_headers(
        header_param("Last-Event-ID", "resume after this event id", required=False)
    ),
)
async def stream(
    request: Request,
    principal: CasesReader,
    core: CoreDep,
    team: Annotated[str | None, Query(description="only cases involving this team")] = None,
) -> EventSourceResponse:
    """`case.*` events as the case stands after each change; `notification` events for you.

    Resume after a reconnect with the ``Last-Event-ID`` header (recent history is kept).
    """

    def accept(item: Item) -> bool:
        if item.event == "notification":
            return principal.is_admin or (
                principal.member_id is not None and item.member == principal.member_id
            )
        if not principal.can_see_any(item.teams):
            return False
        return team is None or team in item.teams

    last = request.headers.get("last-event-id", "")
    sub = core.hub.subscribe(accept, int(last) if last.isdigit() else None)

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
