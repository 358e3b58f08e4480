"""Channels API: the brand's accounts, pages and feeds, with write-only secrets."""

from __future__ import annotations

import re
from typing import Annotated, Any

from chorus_common.bounds import not_null
from chorus_common.contracts.events import Platform
from chorus_common.openapi import links, problem
from chorus_common.problems import problem_response
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from chorus_ingest import channels as store
from chorus_ingest.api.deps import ChannelsReader, ChannelsWriter, SessionDep
from chorus_ingest.api.responses import error, json_response
from chorus_ingest.api.schemas import ChannelList, ChannelRead

router = APIRouter(prefix="/v1", tags=["channels"])
_SECRET_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def _check_secrets(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > 32:
        raise ValueError("at most 32 secrets per channel")
    for name, secret in value.items():
        if not _SECRET_NAME.match(name):
            raise ValueError("secret names are lower-case identifiers (a-z, 0-9, _)")
        if secret is not None and (not isinstance(secret, str) or not 0 < len(secret) <= 8192):
            raise ValueError(f"secret {name} must be a non-empty string of at most 8192 chars")
    return value


class PollSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrl | None = None
    interval_seconds: float | None = Field(default=None, ge=0.2, le=86_400)
    config: dict[str, Any] = Field(default_factory=dict)


class ChannelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: Platform
    external_id: str = Field(min_length=1, max_length=1024)
    display_name: str | None = Field(default=None, max_length=256)
    brand: str | None = Field(default=None, max_length=256)
    secrets: dict[str, str] = Field(default_factory=dict)
    poll: PollSpec | None = None
    enabled: bool = True

    _secrets = field_validator("secrets")(_check_secrets)


class ChannelUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(default=None, max_length=256)
    brand: str | None = Field(default=None, max_length=256)
    secrets: dict[str, str | None] = Field(
        default_factory=dict, description="merged; a null value removes that secret"
    )
    poll: PollSpec | None = None
    enabled: bool | None = None

    _secrets = field_validator("secrets")(_check_secrets)
    _present = not_null("enabled", "secrets")


def _poll_columns(poll: PollSpec | None) -> dict[str, Any]:
    if poll is None:
        return {}
    return {
        "poll_url": str(poll.url) if poll.url else None,
        "poll_interval_seconds": poll.interval_seconds,
        "poll_config": poll.config,
    }


def _changed(request: Request) -> None:
    """A channel changed: webhooks of this process stop using cached secrets at once."""
    request.app.state.channel_cache.clear()


def _not_found(channel_id: str) -> Response:
    return error(404, "channel_not_found", f"no channel {channel_id}", "channel_id")


_NOT_FOUND = problem(404, "channel_not_found")


@router.get(
    "/channels",
    response_model=ChannelList,
    responses=problem(422, "validation_error", "invalid_cursor"),
)
async def list_channels(
    _: ChannelsReader,
    session: SessionDep,
    platform: Annotated[Platform | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="channels per page")] = 500,
    after: Annotated[str | None, Query(max_length=64, description="the last id seen")] = None,
) -> Response:
    """List channels (secret names only), ``limit`` at a time; ``next_after`` continues
    (None: no more). No side effect."""
    try:
        rows, more = await store.list_channels(session, platform, limit=limit, after=after)
    except store.UnknownCursor:
        return error(422, "invalid_cursor", "after: no such channel", "query.after")
    return json_response(
        {"channels": [c.public() for c in rows], "next_after": rows[-1].id if more else None}
    )


@router.post(
    "/channels",
    status_code=201,
    response_model=ChannelRead,
    responses=links(
        201,
        {
            f"{m}_channel": ("/v1/channels/{channel_id}", m, {"channel_id": "$response.body#/id"})
            for m in ("get", "patch", "delete")
        },
    )
    | problem(
        409, "channel_exists", description="`channel_exists`, with the `id` of the existing channel"
    ),
)
async def create_channel(
    body: ChannelCreate, _: ChannelsWriter, session: SessionDep, request: Request
) -> Response:
    """Create a channel; 409 with the existing id when (platform, external_id) is known."""
    data = {
        "platform": body.platform,
        "external_id": body.external_id,
        "display_name": body.display_name,
        "brand": body.brand,
        "secrets": body.secrets,
        "enabled": body.enabled,
        **_poll_columns(body.poll),
    }
    async with session.begin():
        try:
            channel = await store.create_channel(session, data)
        except store.ChannelExists as exc:
            return problem_response(
                409,
                "channel_exists",
                "a channel with this platform and external_id exists",
                field="external_id",
                extra={"id": exc.existing_id},
            )
    _changed(request)
    return json_response(channel.public(), 201)


@router.get("/channels/{channel_id}", response_model=ChannelRead, responses=_NOT_FOUND)
async def get_channel(channel_id: str, _: ChannelsReader, session: SessionDep) -> Response:
    channel = await store.get_channel(session, channel_id)
    return json_response(channel.public()) if channel else _not_found(channel_id)


@router.patch("/channels/{channel_id}", response_model=ChannelRead, responses=_NOT_FOUND)
async def update_channel(
    channel_id: str, body: ChannelUpdate, _: ChannelsWriter, session: SessionDep, request: Request
) -> Response:
    """Change fields; secrets merge (null removes one); idempotent."""
    changes: dict[str, Any] = {
        k: v
        for k, v in body.model_dump(exclude_unset=True).items()
        if k in ("display_name", "brand", "enabled")
    }
    if "poll" in body.model_fields_set:
        changes.update(_poll_columns(body.poll) or {"poll_url": None, "poll_config": {}})
    async with session.begin():
        channel = await store.get_channel(session, channel_id)
        if channel is None:
            return _not_found(channel_id)
        channel = await store.update_channel(session, channel, changes, body.secrets)
    _changed(request)
    return json_response(channel.public())


@router.delete("/channels/{channel_id}", status_code=204, responses=_NOT_FOUND)
async def delete_channel(
    channel_id: str, _: ChannelsWriter, session: SessionDep, request: Request
) -> Response:
    """Delete a channel and its poll cursor; idempotent (404 when absent)."""
    async with session.begin():
        deleted = await store.delete_channel(session, channel_id)
    _changed(request)
    return Response(status_code=204) if deleted else _not_found(channel_id)
