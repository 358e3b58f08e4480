"""Instagram: comment replies through the Graph API."""

from __future__ import annotations

import httpx

from chorus_platforms.kit.outbound import Channel, Delivered, OutboundReply, Reconcile, same_text
from chorus_platforms.meta.graph import comment_on, listed


class InstagramSender:
    """POST /{ig-comment-id}/replies; checked by listing the comment's replies."""

    platform = "instagram"
    reconcile: Reconcile = "lookup"

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Creates a reply to the comment (not idempotent)."""
        return Delivered(
            await comment_on(http, channel, reply, "replies", self.platform), reply.post_url
        )

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Lists the comment's replies and matches the account's own (read only)."""
        me = channel.option("username") or channel.channel
        path = f"{reply.post_native_id}/replies"
        params = {"fields": "id,text,username,timestamp"}
        for r in await listed(http, channel, path, self.platform, params):
            if r.get("username") == me and same_text(reply.text, r.get("text")):
                return Delivered(str(r["id"]), reply.post_url)
        return None
