"""The Meta Graph API call shared by the Facebook, Messenger, Instagram and WhatsApp senders."""

from __future__ import annotations

from typing import Any

import httpx

from chorus_platforms.kit.outbound import Channel, bearer, call

DEFAULT_BASE = "https://graph.facebook.com"
DEFAULT_VERSION = "v21.0"


def _v(channel: Channel) -> str:
    return "/" + (channel.option("graph_version") or DEFAULT_VERSION)


async def graph(
    http: httpx.AsyncClient, channel: Channel, method: str, path: str, platform: str, **kw: Any
) -> Any:
    """One Graph API call at ``/{version}/{path}`` with the channel's access token."""
    return await call(
        http,
        method,
        channel.url(f"{_v(channel)}/{path}"),
        platform=platform,
        headers=bearer(channel),
        **kw,
    )
