"""`POST /v1/archive/replay`: republish archived canonical posts (safe: same post ids)."""

from __future__ import annotations

from datetime import datetime

from chorus_common.contracts.events import Platform
from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, model_validator

from chorus_ingest import archive
from chorus_ingest.api.deps import ArchiveReplayer, RuntimeDep, SettingsDep
from chorus_ingest.api.responses import json_response
from chorus_ingest.api.schemas import ReplayRead

router = APIRouter(prefix="/v1", tags=["archive"])


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: AwareDatetime
    until: AwareDatetime | None = None
    platform: Platform | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ReplayRequest:
        if self.until is not None and self.until <= self.since:
            raise ValueError("until must be after since")
        return self


@router.post("/archive/replay", response_model=ReplayRead)
async def replay(
    body: ReplayRequest, _: ArchiveReplayer, runtime: RuntimeDep, settings: SettingsDep
) -> Response:
    """Stage archived posts received in [since, until) for republishing; idempotent downstream."""
    count, truncated = await archive.replay(
        runtime,
        since=body.since,
        until=body.until,
        platform=body.platform,
        limit=settings.replay_max_posts,
    )
    return json_response(
        {
            "republished": count,
            "truncated": truncated,
            "since": body.since.isoformat(),
            "until": body.until.isoformat() if isinstance(body.until, datetime) else None,
            "platform": body.platform,
        }
    )
