"""Reply endpoints (drafting and approval come with the responder issue)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from chorus_responder import models
from chorus_responder.api.deps import RepliesReader, SessionDep

router = APIRouter(prefix="/v1", tags=["replies"])


@router.get("/cases/{case_id}/replies")
async def list_replies(
    case_id: str, principal: RepliesReader, session: SessionDep
) -> dict[str, Any]:
    t = models.case_view
    case = (await session.execute(select(t).where(t.c.case_id == case_id))).mappings().first()
    if case is None or not principal.can_see_any([case["team"], *case["collaborators"]]):
        raise HTTPException(404, detail={"code": "case_not_found", "message": f"no case {case_id}"})
    return {"case_id": case_id, "case_status": case["status"], "replies": []}
