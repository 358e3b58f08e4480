"""`GET /v1/cases/{case_id}/posts`: the conversation as the router received it (text, author
with followers and verified, signals), for the people who work the case."""

from __future__ import annotations

from typing import Any

import orjson
from chorus_common.contracts.events import Post
from chorus_common.openapi import problem
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from chorus_router import models
from chorus_router.api.cases import load_visible
from chorus_router.api.deps import CasesReader, SessionDep
from chorus_router.snapshot import utc

router = APIRouter(prefix="/v1", tags=["cases"])


class CasePosts(BaseModel):
    model_config = ConfigDict(extra="allow")

    case_id: str
    posts: list[Post] = Field(description="oldest first, as first received (edits not applied)")
    more: bool = Field(description="the case has more posts than `limit` gave (the newest are)")


@router.get(
    "/cases/{case_id}/posts", response_model=CasePosts, responses=problem(404, "case_not_found")
)
async def case_posts(
    case_id: str,
    principal: CasesReader,
    session: SessionDep,
    limit: int = Query(100, ge=1, le=500),
) -> Any:
    """The case's posts the router still keeps (`routed_posts_days`, 35), oldest first:
    the newest `limit` of them. Same visibility as the case."""
    await load_visible(session, principal, case_id)
    # Through the case's post list (indexed by case), then each routed post by its key; the
    # brand's own posts on the case (brand activity) are merged in, marked `from_brand`.
    cp, rp, bp = models.case_posts, models.routed_posts, models.brand_posts
    routed = select(cp.c.received_at, cp.c.post_id, rp.c.post).join(
        rp, cp.c.post_id == rp.c.post_id
    )
    brand = select(bp.c.received_at, bp.c.post_id, bp.c.post)
    rows = []
    for q, owner in ((routed, cp.c.case_id), (brand, bp.c.case_id)):
        found = await session.execute(
            q.where(owner == case_id)
            .order_by(q.selected_columns[0].desc(), q.selected_columns[1].desc())
            .limit(limit + 1)
        )
        rows += [(utc(at), pid, post) for at, pid, post in found.all()]
    rows.sort(reverse=True)
    posts = [orjson.loads(p) for _at, _pid, p in reversed(rows[:limit])]
    return {"case_id": case_id, "posts": posts, "more": len(rows) > limit}
