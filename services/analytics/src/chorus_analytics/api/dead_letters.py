"""`GET /v1/dead-letters`: the dead letters analytics has seen, newest first, by the post or
the trace they name (scope ``deadletters:read``). Origins and codes only: the bytes and the
error text stay on chorus.dlq.v1."""

from __future__ import annotations

from typing import Annotated

from chorus_common.auth import Principal, require
from chorus_common.contracts.timebuckets import as_utc
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import select

from chorus_analytics import models
from chorus_analytics.api.deps import SessionDep

router = APIRouter(prefix="/v1", tags=["dead letters"])
DeadLettersReader = Annotated[Principal, Depends(require("deadletters:read"))]


class DeadLetterRead(BaseModel):
    event_id: str
    at: str
    source: str
    code: str
    field: str | None
    post_id: str | None
    trace_id: str | None
    original_topic: str | None
    original_partition: int | None
    original_offset: int | None


class DeadLetterList(BaseModel):
    items: list[DeadLetterRead]


@router.get("/dead-letters", response_model=DeadLetterList)
async def list_dead_letters(
    _: DeadLettersReader,
    session: SessionDep,
    post_id: Annotated[str | None, Query(max_length=600)] = None,
    trace_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeadLetterList:
    """Dead letters kept DEAD_LETTER_RETENTION_DAYS, newest first; ``post_id`` and
    ``trace_id`` narrow them to the ones naming that post or trace (both: either)."""
    t = models.dead_letters
    q = select(t)
    if post_id is not None and trace_id is not None:
        q = q.where((t.c.post_id == post_id) | (t.c.trace_id == trace_id))
    elif post_id is not None:
        q = q.where(t.c.post_id == post_id)
    elif trace_id is not None:
        q = q.where(t.c.trace_id == trace_id)
    rows = (await session.execute(q.order_by(t.c.at.desc()).limit(limit))).mappings()
    return DeadLetterList(
        items=[DeadLetterRead(**{**r, "at": as_utc(r["at"]).isoformat()}) for r in rows]
    )
