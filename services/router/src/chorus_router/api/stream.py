"""Server-Sent Events: live case changes (and your notifications), filtered to what you may see."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from sse_starlette.sse import EventSourceResponse

from chorus_router.api.deps import CasesReader, CoreDep
from chorus_router.hub import Item

router = APIRouter(prefix="/v1", tags=["stream"])


def resume_after(last_event_id: str) -> int | None:
    """The sequence number to resume after; None (no replay) for anything we did not send
    (the ids are decimal sequence numbers, at most 19 digits)."""
    text = last_event_id.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    return int(text)


@router.get("/stream")
async def stream(
    request: Request,
    principal: CasesReader,
    core: CoreDep,
    team: Annotated[str | None, Query(description="only cases involving this team")] = None,
) -> EventSourceResponse:
    """`case.*` events as the case stands after each change; `notification` events for you.

    Resume after a reconnect with the ``Last-Event-ID`` header: the events after it among
    the last 2,000 this router published are replayed first (at most that many, filtered to
    what you may see; an id that is not one of ours replays nothing).
    """

    def accept(item: Item) -> bool:
        if item.event == "notification":
            return principal.is_admin or (
                principal.member_id is not None and item.member == principal.member_id
            )
        if not principal.can_see_any(item.teams):
            return False
        return team is None or team in item.teams

    sub = core.hub.subscribe(accept, resume_after(request.headers.get("last-event-id", "")))

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
