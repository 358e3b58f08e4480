"""`GET /v1/posts/{post_id}`: the case a post belongs to (for `chorus trace`), with the
case's visibility rules: agents and leads see it only when the case involves their teams."""

from __future__ import annotations

from typing import Any

from chorus_common.auth import Principal
from fastapi import APIRouter
from sqlalchemy import RowMapping, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.api.cases import can_see, case_view
from chorus_router.api.deps import CasesReader, SessionDep, not_found
from chorus_router.casework.case import Case
from chorus_router.casework.store import case_from_row
from chorus_router.snapshot import utc

router = APIRouter(prefix="/v1", tags=["cases"])


@router.get("/posts/{post_id:path}")
async def get_post_case(post_id: str, principal: CasesReader, session: SessionDep) -> Any:
    """The post's case as it stands, when the post was routed and which revision of it the
    router saw. The brand's own posts (``from_brand``) are kept, never routed: their answered
    case, or none yet (then only admins see the post). 404 ``post_not_found`` when the router
    has not had the post (or its case is not visible to the caller)."""
    cp, bp, c = models.case_posts, models.brand_posts, models.cases
    routed = await _first(
        session,
        select(cp.c.received_at, cp.c.revision, c)
        .join(c, c.c.id == cp.c.case_id)
        .where(cp.c.post_id == post_id),
    )
    if routed is not None:
        return _answer(principal, post_id, routed, case_from_row(routed), routed["revision"])
    brand = await _first(
        session,
        select(bp.c.received_at, bp.c.case_id.label("answered"), c)
        .outerjoin(c, c.c.id == bp.c.case_id)
        .where(bp.c.post_id == post_id),
    )
    if brand is None:
        raise not_found("post", post_id)
    case = case_from_row(brand) if brand["answered"] is not None else None
    return _answer(principal, post_id, brand, case, None, from_brand=True)


async def _first(session: AsyncSession, query: Select[Any]) -> RowMapping | None:
    row: RowMapping | None = (await session.execute(query)).mappings().first()
    return row


def _answer(
    principal: Principal,
    post_id: str,
    row: RowMapping,
    case: Case | None,
    revision: int | None,
    *,
    from_brand: bool = False,
) -> dict[str, Any]:
    """The post's answer, if the caller may see its case; a post with no case (a brand post
    waiting for its conversation's) only admins see."""
    if not (can_see(principal, case) if case is not None else principal.is_admin):
        raise not_found("post", post_id)
    received = utc(row["received_at"])
    return {
        "post_id": post_id,
        "case_id": case.id if case is not None else None,
        "received_at": received.isoformat() if received else None,
        "revision": revision,
        "from_brand": from_brand,
        "case": case_view(case) if case is not None else None,
    }
