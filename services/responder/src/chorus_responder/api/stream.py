"""``GET /v1/stream``: live reply activity (drafting, approvals, sending, sent) as
Server-Sent Events, limited to the cases the caller may see."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
from chorus_common.auth import Principal
from chorus_common.openapi import EVENT_STREAM
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from chorus_responder.api.deps import BroadcasterDep, RepliesReader

router = APIRouter(prefix="/v1", tags=["stream"])
HEARTBEAT_SECONDS = 15.0


def visible_to(principal: Principal) -> Any:
    def accept(event: dict[str, Any]) -> bool:
        teams = [event.get("team"), *event.get("collaborators", [])]
        if principal.can_see_any(teams):
            return True
        return any(t in principal.teams for t in event.get("approver_teams", []))

    return accept


@router.get("/stream", response_class=StreamingResponse, responses=EVENT_STREAM)
async def stream(
    request: Request, principal: RepliesReader, broadcaster: BroadcasterDep
) -> StreamingResponse:
    queue = broadcaster.subscribe(visible_to(principal))

    async def events() -> AsyncIterator[bytes]:
        try:
            yield b": connected\n\n"
            while not await request.is_disconnected():
                try:
                    event = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield b": ping\n\n"
                    continue
                yield (
                    b"event: "
                    + event["type"].encode()
                    + b"\ndata: "
                    + orjson.dumps(event)
                    + b"\n\n"
                )
        finally:
            broadcaster.unsubscribe(queue)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
