"""WhatsApp Business Cloud API: text replies in the conversation."""

from __future__ import annotations

from typing import Any

import httpx

from chorus_platforms.kit.outbound import Channel, Delivered, OutboundReply, Reconcile
from chorus_platforms.meta.graph import graph


class WhatsAppSender:
    """POST /{phone-number-id}/messages, quoting the customer's message (context.message_id).

    WhatsApp offers no way to list sent messages, so a call whose outcome is unknown is never
    repeated automatically; ``biz_opaque_callback_data`` carries our idempotency key into the
    status webhooks so an operator can match it.
    """

    platform = "whatsapp"
    reconcile: Reconcile = "none"

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Sends a text message in the conversation (not idempotent)."""
        phone_id = channel.option("phone_number_id") or channel.channel
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": reply.author_id,
            "context": {"message_id": reply.post_native_id},
            "type": "text",
            "text": {"preview_url": False, "body": reply.text},
            "biz_opaque_callback_data": reply.idempotency_key,
        }
        path = f"{phone_id}/messages"
        data: Any = await graph(http, channel, "POST", path, self.platform, json=body)
        return Delivered(str(data["messages"][0]["id"]))

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Not available on WhatsApp."""
        return None
