"""Meta Graph API: Facebook comment replies, Messenger sends, Instagram comment replies and
WhatsApp Cloud API messages."""

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

DEFAULT_BASE = "https://graph.facebook.com"
DEFAULT_VERSION = "v21.0"


def _v(channel: Channel) -> str:
    return "/" + (channel.option("graph_version") or DEFAULT_VERSION)


def _auth(channel: Channel) -> dict[str, str]:
    return {"Authorization": f"Bearer {channel.secret('access_token')}"}


async def _graph(
    http: httpx.AsyncClient, channel: Channel, method: str, path: str, platform: str, **kw: Any
) -> Any:
    """One Graph API call at ``/{version}/{path}`` with the channel's access token."""
    return await call(
        http,
        method,
        channel.url(f"{_v(channel)}/{path}"),
        platform=platform,
        headers=_auth(channel),
        **kw,
    )


class FacebookCommentSender:
    """POST /{object-id}/comments with the page token; checked by listing the object's comments."""

    platform = "facebook"
    reconcile: Reconcile = "lookup"

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Creates a comment under the post or comment (not idempotent)."""
        data: Any = await _graph(
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
        data: Any = await _graph(
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
        data: Any = await _graph(
            http,
            channel,
            "POST",
            "me/messages",
            "messenger",
            json=body,
        )
        return Delivered(str(data["message_id"]))

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Reads the conversation with that person and matches the page's last messages."""
        page_id = channel.option("page_id") or channel.channel
        data: Any = await _graph(
            http,
            channel,
            "GET",
            f"{page_id}/conversations",
            "messenger",
            params={
                "platform": "messenger",
                "user_id": reply.author_id,
                "fields": "messages.limit(25){id,message,from}",
            },
        )
        for conv in data.get("data") or []:
            for m in (conv.get("messages") or {}).get("data") or []:
                if (m.get("from") or {}).get("id") == page_id and same_text(
                    reply.text, m.get("message")
                ):
                    return Delivered(str(m["id"]))
        return None


class InstagramSender:
    """POST /{ig-comment-id}/replies; checked by listing the comment's replies."""

    platform = "instagram"
    reconcile: Reconcile = "lookup"

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Creates a reply to the comment (not idempotent)."""
        data: Any = await _graph(
            http,
            channel,
            "POST",
            f"{reply.post_native_id}/replies",
            "instagram",
            data={"message": reply.text},
        )
        return Delivered(str(data["id"]), reply.post_url)

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Lists the comment's replies and matches the account's own (read only)."""
        me = channel.option("username") or channel.channel
        data: Any = await _graph(
            http,
            channel,
            "GET",
            f"{reply.post_native_id}/replies",
            "instagram",
            params={"fields": "id,text,username,timestamp"},
        )
        for r in data.get("data") or []:
            if r.get("username") == me and same_text(reply.text, r.get("text")):
                return Delivered(str(r["id"]), reply.post_url)
        return None


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
        data: Any = await _graph(
            http,
            channel,
            "POST",
            f"{phone_id}/messages",
            "whatsapp",
            json=body,
        )
        return Delivered(str(data["messages"][0]["id"]))

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Not available on WhatsApp."""
        return None
