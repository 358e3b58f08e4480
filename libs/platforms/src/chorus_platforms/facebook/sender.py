"""Facebook Pages: comment replies through the Graph API."""

from __future__ import annotations

import httpx

from chorus_platforms.kit.outbound import Channel, Delivered, OutboundReply, Reconcile, same_text
from chorus_platforms.meta.graph import comment_on, listed

_NEWEST = {"filter": "stream", "order": "reverse_chronological", "limit": "100"}


def _delivered(comment_id: str) -> Delivered:
    return Delivered(comment_id, f"https://www.facebook.com/{comment_id}")


class FacebookCommentSender:
    """POST /{object-id}/comments with the page token; checked by listing the object's comments."""

    platform = "facebook"
    reconcile: Reconcile = "lookup"

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Creates a comment under the post, comment or recommendation (not idempotent)."""
        return _delivered(await comment_on(http, channel, reply, "comments", self.platform))

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Lists the newest comments on the object and matches the page's own (read only)."""
        page_id = channel.option("page_id") or channel.channel
        path = f"{reply.post_native_id}/comments"
        params = {"fields": "id,message,from", **_NEWEST}
        for c in await listed(http, channel, path, self.platform, params):
            mine = (c.get("from") or {}).get("id") == page_id
            if mine and same_text(reply.text, c.get("message")):
                return _delivered(str(c["id"]))
        return None
