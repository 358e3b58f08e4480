"""Mastodon: POST /api/v1/statuses with in_reply_to_id and an Idempotency-Key."""

from __future__ import annotations

from typing import Any

import httpx

from chorus_platforms.kit.outbound import (
    Channel,
    Delivered,
    OutboundReply,
    Reconcile,
    call,
    same_text,
)


def instance_base(channel_name: str) -> str | None:
    """``@brand@example.social`` or ``brand@example.social`` -> ``https://example.social``."""
    host = channel_name.lstrip("@").partition("@")[2]
    return f"https://{host}" if host else None


def status_text(reply: OutboundReply) -> str:
    # A direct message reaches only the accounts it mentions.
    if reply.visibility == "private" and reply.author_handle:
        handle = "@" + reply.author_handle.lstrip("@")
        if handle.lower() not in reply.text.lower():
            return f"{handle} {reply.text}"
    return reply.text


class MastodonSender:
    """Posts a status in reply (``direct`` visibility for private conversations). The server
    keeps Idempotency-Key for an hour, so repeating the call returns the same status."""

    platform = "mastodon"
    reconcile: Reconcile = "idempotent"

    def _headers(self, reply: OutboundReply, channel: Channel) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {channel.secret('access_token')}",
            "Idempotency-Key": reply.idempotency_key,
        }

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Creates the status; idempotent per reply through the Idempotency-Key header."""
        visibility = (
            "direct" if reply.visibility == "private" else channel.option("visibility", "public")
        )
        body = {
            "status": status_text(reply),
            "in_reply_to_id": reply.post_native_id,
            "visibility": visibility,
        }
        if reply.lang:
            body["language"] = reply.lang[:2]
        data: Any = await call(
            http,
            "POST",
            channel.url("/api/v1/statuses"),
            platform="mastodon",
            json=body,
            headers=self._headers(reply, channel),
        )
        return Delivered(str(data["id"]), data.get("url") or data.get("uri"))

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Reads the thread below the post and matches our account's status (read only)."""
        data: Any = await call(
            http,
            "GET",
            channel.url(f"/api/v1/statuses/{reply.post_native_id}/context"),
            platform="mastodon",
            headers={"Authorization": f"Bearer {channel.secret('access_token')}"},
        )
        me = channel.option("account_id")
        for s in data.get("descendants") or []:
            if s.get("in_reply_to_id") != reply.post_native_id:
                continue
            if me and (s.get("account") or {}).get("id") != me:
                continue
            if same_text(status_text(reply), _strip_html(s.get("content") or "")):
                return Delivered(str(s["id"]), s.get("url") or s.get("uri"))
        return None


def _strip_html(html: str) -> str:
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", " ", html))
