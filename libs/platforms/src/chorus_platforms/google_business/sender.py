"""Google Business Profile: the owner's reply to a review."""

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

BUSINESS_BASE = "https://mybusiness.googleapis.com"


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
        await bearer_call(http, channel, "PUT", f"/v4/{name}/reply", json={"comment": reply.text})
        return Delivered(f"{name}/reply", reply.post_url)

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Reads the review and compares its reply (read only)."""
        name = review_name(reply, channel)
        data: Any = await bearer_call(http, channel, "GET", f"/v4/{name}")
        if same_text(reply.text, (data.get("reviewReply") or {}).get("comment")):
            return Delivered(f"{name}/reply", reply.post_url)
        return None
