"""TikTok: public replies to comments on the brand's videos (TikTok API for Business).

``POST /business/comment/reply/create/`` with ``business_id``, ``video_id``, ``comment_id``
and ``text``; auth is the ``Access-Token`` header (the business account's token, no
``Bearer``). TikTok answers errors inside HTTP 200 bodies (``code`` ≠ 0): 40100 is its
rate limit (too many requests a minute or a day), token codes are permanent.
"""

from __future__ import annotations

from typing import Any

import httpx

from chorus_platforms.kit.outbound import (
    Channel,
    Delivered,
    OutboundReply,
    PermanentSendError,
    Reconcile,
    TransientSendError,
    call,
    same_text,
)

TIKTOK_BASE = "https://business-api.tiktok.com"
API = "/open_api/v1.3/business"
# TikTok comments and replies take 150 characters.
REPLY_LIMIT = 150
RATE_LIMITED = 40100
# Once a minute's quota is spent, TikTok asks to wait for the next window.
RATE_RETRY_SECONDS = 60.0
TOKEN_CODES = {40102, 40104, 40105}


def reply_target(reply: OutboundReply) -> tuple[str, str]:
    """(video id, comment id) to answer: a reply goes under the comment it answers."""
    video, _, comment = reply.post_native_id.partition(":")
    if reply.post_kind == "reply" and reply.parent_native_id and ":" in reply.parent_native_id:
        video, _, comment = reply.parent_native_id.partition(":")
    if not video or not comment:
        raise PermanentSendError(
            "invalid_target", "a TikTok comment's native id is <video_id>:<comment_id>"
        )
    return video, comment


def checked(platform: str, body: Any) -> dict[str, Any]:
    """The ``data`` of a TikTok answer whose ``code`` is 0; its error otherwise."""
    code = body.get("code") if isinstance(body, dict) else None
    if code == 0:
        data = body.get("data")
        return data if isinstance(data, dict) else {}
    message = (
        f"{platform} {code}: {(body or {}).get('message') if isinstance(body, dict) else body}"
    )
    if code == RATE_LIMITED:
        raise TransientSendError("rate_limited", message, retry_after=RATE_RETRY_SECONDS)
    if isinstance(code, int) and code >= 50000:
        raise TransientSendError(f"tiktok_{code}", message, ambiguous=True)
    if code in TOKEN_CODES:
        raise PermanentSendError("token_invalid", message)
    raise PermanentSendError(f"tiktok_{code}", message)


class TikTokSender:
    """Creates a reply (not idempotent); checked by listing the comment's replies."""

    platform = "tiktok"
    reconcile: Reconcile = "lookup"

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        video, comment = reply_target(reply)
        body = {
            "business_id": _business(channel),
            "video_id": video,
            "comment_id": comment,
            "text": reply.text,
        }
        answer = await call(
            http,
            "POST",
            channel.url(f"{API}/comment/reply/create/"),
            platform=self.platform,
            json=body,
            headers=_auth(channel),
        )
        data = checked(self.platform, answer)
        return Delivered(f"{video}:{data.get('comment_id')}", reply.post_url)

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Lists the comment's replies and matches the brand's own (read only)."""
        video, comment = reply_target(reply)
        params = {"business_id": _business(channel), "video_id": video, "comment_id": comment}
        answer = await call(
            http,
            "GET",
            channel.url(f"{API}/comment/reply/list/"),
            platform=self.platform,
            params={**params, "max_count": "30"},
            headers=_auth(channel),
        )
        for found in checked(self.platform, answer).get("comments") or []:
            if found.get("owner") is True and same_text(reply.text, found.get("text")):
                return Delivered(f"{video}:{found.get('comment_id')}", reply.post_url)
        return None


def _business(channel: Channel) -> str:
    return channel.option("business_id") or channel.channel


def _auth(channel: Channel) -> dict[str, str]:
    return {"Access-Token": channel.secret("access_token")}
