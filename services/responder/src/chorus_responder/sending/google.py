"""Google APIs: Business Profile review replies and YouTube comment replies."""

from __future__ import annotations

from typing import Any

import httpx

from chorus_responder.sending.base import (
    Channel,
    Delivered,
    OutboundReply,
    Reconcile,
    call,
    same_text,
)

BUSINESS_BASE = "https://mybusiness.googleapis.com"
YOUTUBE_BASE = "https://www.googleapis.com"


def _auth(channel: Channel) -> dict[str, str]:
    return {"Authorization": f"Bearer {channel.secret('access_token')}"}


def review_name(reply: OutboundReply, channel: Channel) -> str:
    """``accounts/*/locations/*/reviews/*``: the post's id if it is one, else under the location."""
    if reply.post_native_id.startswith("accounts/"):
        return reply.post_native_id
    location = channel.option("location_name") or channel.channel
    return f"{location.rstrip('/')}/reviews/{reply.post_native_id}"


class GoogleReviewSender:
    """PUT .../reviews/{id}/reply: creates or replaces the owner's single reply (idempotent)."""

    platform = "google_business"
    reconcile: Reconcile = "idempotent"

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Upserts the owner reply; repeating it leaves exactly one reply."""
        name = review_name(reply, channel)
        await call(
            http,
            "PUT",
            channel.url(f"/v4/{name}/reply"),
            platform="google_business",
            json={"comment": reply.text},
            headers=_auth(channel),
        )
        return Delivered(f"{name}/reply", reply.post_url)

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Reads the review and compares its reply (read only)."""
        name = review_name(reply, channel)
        data: Any = await call(
            http,
            "GET",
            channel.url(f"/v4/{name}"),
            platform="google_business",
            headers=_auth(channel),
        )
        if same_text(reply.text, (data.get("reviewReply") or {}).get("comment")):
            return Delivered(f"{name}/reply", reply.post_url)
        return None


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
        data: Any = await call(
            http,
            "POST",
            channel.url("/youtube/v3/comments"),
            platform="youtube",
            params={"part": "snippet"},
            json=body,
            headers=_auth(channel),
        )
        cid = str(data["id"])
        return Delivered(cid, _yt_url(reply, cid))

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Lists the parent's replies and matches the channel's own (read only)."""
        me = channel.option("channel_id") or channel.channel
        data: Any = await call(
            http,
            "GET",
            channel.url("/youtube/v3/comments"),
            platform="youtube",
            params={
                "part": "snippet",
                "parentId": _yt_parent(reply),
                "maxResults": "100",
                "textFormat": "plainText",
            },
            headers=_auth(channel),
        )
        for item in data.get("items") or []:
            snip = item.get("snippet") or {}
            author = (snip.get("authorChannelId") or {}).get("value")
            if author == me and same_text(
                reply.text, snip.get("textOriginal") or snip.get("textDisplay")
            ):
                return Delivered(str(item["id"]), _yt_url(reply, str(item["id"])))
        return None
