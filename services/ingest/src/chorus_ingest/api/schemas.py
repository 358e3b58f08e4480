"""What the ingest API answers: the documented shape of every successful response."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from chorus_common.contracts.events import Platform, Post
from chorus_platforms.registry import CONNECTORS
from fastapi import Path
from pydantic import BaseModel, Field

# Documented as the connectors' slugs; another slug is a 404 `unknown_platform`.
PlatformPath = Annotated[
    str, Path(description="a connector's slug", json_schema_extra={"enum": sorted(CONNECTORS)})
]


class ItemError(BaseModel):
    """Why one item of a batch was rejected (the others were not)."""

    code: str | None
    message: str | None
    field: str | None


class ItemResultRead(BaseModel):
    index: int | None = Field(description="position in the request's batch (null: one post)")
    status: Literal["accepted", "duplicate", "updated", "stale", "rejected"] = Field(
        description="`stale`: an older revision than the one kept, not applied"
    )
    post_id: str | None = None
    revision: int | None = None
    error: ItemError | None = Field(default=None, description="only when rejected")


class IntakeResultRead(BaseModel):
    """Counts and one result per item; a partly rejected batch is still 200."""

    accepted: int
    duplicate: int
    updated: int
    stale: int
    rejected: int
    results: list[ItemResultRead]


class NormalizeErrorRead(BaseModel):
    code: str
    message: str
    field: str | None
    index: int | None


class NormalizeSkipRead(BaseModel):
    """An item that is deliberately not a post (a reaction, a deletion notice, …)."""

    index: int | None
    code: str
    reason: str


class NormalizeFetchRead(BaseModel):
    """An item the body only names: the webhook path reads it with the channel's token."""

    index: int | None
    native_id: str | None
    url: str
    params: dict[str, str]


class NormalizeRead(BaseModel):
    """The canonical, enriched posts the body would give, the items it would reject, the
    items it would skip and the items it would read first (the dry run makes no reads):
    every item of the body is in exactly one of the four."""

    posts: list[Post]
    errors: list[NormalizeErrorRead]
    skipped: list[NormalizeSkipRead]
    fetches: list[NormalizeFetchRead] = []


class PollRead(BaseModel):
    url: str | None
    interval_seconds: float | None
    config: dict[str, Any]


class ChannelRead(BaseModel):
    """A channel as the API shows it: secret names, never their values."""

    id: str
    platform: Platform
    external_id: str
    display_name: str | None
    brand: str | None
    secrets_set: list[str]
    poll: PollRead
    enabled: bool
    created_at: str
    updated_at: str


class ChannelList(BaseModel):
    channels: list[ChannelRead]
    next_after: str | None = Field(description="send as `after` for the next page")


class ReplayRead(BaseModel):
    republished: int
    truncated: bool = Field(description="true when `REPLAY_MAX_POSTS` cut the range short")
    since: str
    until: str | None
    platform: Platform | None
