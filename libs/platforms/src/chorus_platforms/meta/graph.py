"""The Meta Graph API: the call the Facebook, Messenger, Instagram and WhatsApp senders make,
and the follow-up read (``Fetch``) their connectors ask ingest for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from chorus_platforms.kit.inbound import Fetch
from chorus_platforms.kit.outbound import Channel, OutboundReply, bearer_call

DEFAULT_BASE = "https://graph.facebook.com"
DEFAULT_VERSION = "v21.0"


def _v(channel: Channel) -> str:
    return "/" + (channel.option("graph_version") or DEFAULT_VERSION)


async def graph(
    http: httpx.AsyncClient, channel: Channel, method: str, path: str, platform: str, **kw: Any
) -> Any:
    """One Graph API call at ``/{version}/{path}`` with the channel's access token."""
    return await bearer_call(http, channel, method, f"{_v(channel)}/{path}", platform, **kw)


async def comment_on(
    http: httpx.AsyncClient, channel: Channel, reply: OutboundReply, edge: str, platform: str
) -> str:
    """POST the reply's text to ``/{object}/{edge}`` (not idempotent); the new object's id."""
    path = f"{reply.post_native_id}/{edge}"
    data: Any = await graph(http, channel, "POST", path, platform, data={"message": reply.text})
    return str(data["id"])


async def listed(
    http: httpx.AsyncClient, channel: Channel, path: str, platform: str, params: dict[str, str]
) -> list[dict[str, Any]]:
    """The ``data`` objects of one Graph list page (read only)."""
    data: Any = await graph(http, channel, "GET", path, platform, params=params)
    return [d for d in (data.get("data") or []) if isinstance(d, dict)]


def graph_fetch(path: str, fields: str, then: Callable[[Any], Any]) -> Fetch:
    """A follow-up ``GET /{version}/{path}?fields=…`` with the channel's ``access_token``."""
    return Fetch(DEFAULT_BASE, f"{DEFAULT_VERSION}/{path}", then, {"fields": fields})
