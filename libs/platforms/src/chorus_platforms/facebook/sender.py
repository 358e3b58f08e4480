"""Facebook Pages: comment replies through the Graph API."""

from __future__ import annotations

from typing import Any

import httpx

from chorus_platforms.kit.outbound import Channel, Delivered, OutboundReply, Reconcile, same_text
from chorus_platforms.meta.graph import graph


class FacebookCommentSender:
    """POST /{object-id}/comments with the page token; checked by listing the object's comments."""

    platform = "facebook"
    reconcile: Reconcile = "lookup"

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Creates a comment under the post or comment (not idempotent)."""
        data: Any = await graph(
            http,
            channel,
            "POST",
            f"{reply.post_native_id}/comments",
            "facebook",
            data={"message": reply.text},
        )
        cid = str(data["id"])
        return Delivered(cid, f"https://www.facebook.com/{cid}")

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Lists the newest comments on the object and matches the page's own (read only)."""
        page_id = channel.option("page_id") or channel.channel
        data: Any = await graph(
            http,
            channel,
            "GET",
            f"{reply.post_native_id}/comments",
            "facebook",
            params={
                "fields": "id,message,from",
                "filter": "stream",
                "order": "reverse_chronological",
                "limit": "100",
            },
        )
        for c in data.get("data") or []:
            if (c.get("from") or {}).get("id") == page_id and same_text(
                reply.text, c.get("message")
            ):
                return Delivered(str(c["id"]), f"https://www.facebook.com/{c['id']}")
        return None
