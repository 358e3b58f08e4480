"""Outbound channel configuration (``/v1/channels``): base URL, options and credentials.
Credentials are write-only: answers list their names, never their values."""

from __future__ import annotations

from typing import Any

from chorus_common.contracts.events import PLATFORMS, utcnow
from chorus_common.openapi import problem
from chorus_common.problems import ApiProblem, not_found
from fastapi import APIRouter, Response
from sqlalchemy import delete, select, update

from chorus_responder import models
from chorus_responder.api.deps import ChannelsReader, ChannelsWriter, SessionDep
from chorus_responder.api.reads import ChannelList, ChannelRead
from chorus_responder.api.schemas import ChannelConfig

router = APIRouter(prefix="/v1/channels", tags=["channels"])


def _view(row: Any) -> dict[str, Any]:
    return {
        "platform": row.platform,
        "channel": row.channel,
        "base_url": row.base_url,
        "options": row.options,
        "credentials": sorted(row.credentials),
        "updated_at": row.updated_at.isoformat(),
    }


@router.get("", response_model=ChannelList)
async def list_channels(principal: ChannelsReader, session: SessionDep) -> dict[str, Any]:
    t = models.channels
    rows = (await session.execute(select(t).order_by(t.c.platform, t.c.channel))).all()
    return {"channels": [_view(r) for r in rows]}


@router.put(
    "/{platform}/{channel:path}",
    response_model=ChannelRead,
    responses=problem(422, "validation_error", "unknown_platform"),
)
async def put_channel(
    platform: str, channel: str, body: ChannelConfig, principal: ChannelsWriter, session: SessionDep
) -> dict[str, Any]:
    """Create or replace a channel's configuration; omitted credentials keep the stored ones."""
    if platform not in PLATFORMS:
        raise ApiProblem(422, "unknown_platform", f"unknown platform {platform}", field="platform")
    t = models.channels
    where = (t.c.platform == platform, t.c.channel == channel)
    current = (await session.execute(select(t).where(*where))).first()
    values: dict[str, Any] = {
        "base_url": body.base_url,
        "options": body.options,
        "updated_at": utcnow(),
    }
    if body.credentials is not None:
        values["credentials"] = body.credentials
    if current is None:
        values.setdefault("credentials", {})
        await session.execute(t.insert().values(platform=platform, channel=channel, **values))
    else:
        await session.execute(update(t).where(*where).values(**values))
    await session.commit()
    return _view((await session.execute(select(t).where(*where))).one())


@router.delete(
    "/{platform}/{channel:path}", status_code=204, responses=problem(404, "channel_not_found")
)
async def delete_channel(
    platform: str, channel: str, principal: ChannelsWriter, session: SessionDep
) -> Response:
    t = models.channels
    res = await session.execute(delete(t).where(t.c.platform == platform, t.c.channel == channel))
    if res.rowcount != 1:  # type: ignore[attr-defined]
        raise not_found("channel", f"{platform}/{channel}")
    await session.commit()
    return Response(status_code=204)
