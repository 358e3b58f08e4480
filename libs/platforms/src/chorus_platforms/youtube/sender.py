"""YouTube: replies to comments through the Data API v3."""

from __future__ import annotations

from typing import Any

import httpx

from chorus_platforms.kit.outbound import (
    Channel,
    Delivered,
    OutboundReply,
    Reconcile,
    bearer_call,
    same_text,
)

DEFAULT_BASE = "https://www.googleapis.com"
_PATH = "/youtube/v3/comments"


def _yt_parent(reply: OutboundReply) -> str:
    # Replies attach to the top-level comment; a reply to a reply goes under its parent.
    if reply.post_kind == "reply" and reply.parent_native_id:
        return reply.parent_native_id
    return reply.post_native_id


def _yt_url(reply: OutboundReply, comment_id: str) -> str | None:
    if not reply.post_url:
        return None
    sep = "&" if "?" in reply.post_url else "?"
    return f"{reply.post_url.split('&lc=')[0]}{sep}lc={comment_id}"


class YouTubeSender:
    """POST /youtube/v3/comments?part=snippet with snippet.parentId; checked by listing replies."""

    platform = "youtube"
    reconcile: Reconcile = "lookup"

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Inserts a reply comment (not idempotent)."""
        body = {"snippet": {"parentId": _yt_parent(reply), "textOriginal": reply.text}}
        data: Any = await bearer_call(
            http, channel, "POST", _PATH, params={"part": "snippet"}, json=body
        )
        cid = str(data["id"])
        return Delivered(cid, _yt_url(reply, cid))

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Lists the parent's replies and matches the channel's own (read only)."""
        me = channel.option("channel_id") or channel.channel
        params = {"part": "snippet", "parentId": _yt_parent(reply), "maxResults": "100"}
        params["textFormat"] = "plainText"
        data: Any = await bearer_call(http, channel, "GET", _PATH, params=params)
        for item in data.get("items") or []:
            snip = item.get("snippet") or {}
            author = (snip.get("authorChannelId") or {}).get("value")
            if author == me and same_text(
                reply.text, snip.get("textOriginal") or snip.get("textDisplay")
            ):
                return Delivered(str(item["id"]), _yt_url(reply, str(item["id"])))
        return None
