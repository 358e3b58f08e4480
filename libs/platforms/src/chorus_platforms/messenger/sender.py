"""Messenger: private replies through the Graph API Send API."""

from __future__ import annotations

from typing import Any

import httpx

from chorus_platforms.kit.outbound import Channel, Delivered, OutboundReply, Reconcile, same_text
from chorus_platforms.meta.graph import graph, listed


class MessengerSender:
    """POST /me/messages (messaging_type RESPONSE) to the person's page-scoped id."""

    platform = "messenger"
    reconcile: Reconcile = "lookup"

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Sends a private message (not idempotent)."""
        body = {
            "recipient": {"id": reply.author_id},
            "messaging_type": "RESPONSE",
            "message": {"text": reply.text},
        }
        data: Any = await graph(http, channel, "POST", "me/messages", self.platform, json=body)
        return Delivered(str(data["message_id"]))

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Reads the conversation with that person and matches the page's last messages."""
        page_id = channel.option("page_id") or channel.channel
        params = {
            "platform": "messenger",
            "user_id": reply.author_id,
            "fields": "messages.limit(25){id,message,from}",
        }
        for conv in await listed(http, channel, f"{page_id}/conversations", self.platform, params):
            for m in (conv.get("messages") or {}).get("data") or []:
                mine = (m.get("from") or {}).get("id") == page_id
                if mine and same_text(reply.text, m.get("message")):
                    return Delivered(str(m["id"]))
        return None
