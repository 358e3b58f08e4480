"""Threads: a reply is a text container (``POST /{user-id}/threads`` with ``reply_to_id``)
then published (``POST /{user-id}/threads_publish`` with ``creation_id``).

https://developers.facebook.com/docs/threads/reply-management and
https://developers.facebook.com/docs/threads/overview (1,000 replies per profile in a moving
24 hours; Graph rate-limit errors ``4``, ``17``, ``32`` and ``613``).
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
    SendError,
    TransientSendError,
    bearer_call,
    same_text,
)

DEFAULT_BASE = "https://graph.threads.net"
DEFAULT_VERSION = "v1.0"
# Graph API throttling codes: application, user, page and custom rate limits.
RATE_LIMIT_CODES = frozenset({"4", "17", "32", "613"})


def graph_reason(body: Any) -> tuple[str | None, str]:
    """A Graph error as (numeric code, message)."""
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return None, str(body)[:500]
    code = err.get("code")
    return (str(code) if code is not None else None), str(err.get("message") or err)


async def threads_call(
    http: httpx.AsyncClient, channel: Channel, method: str, path: str, **kw: Any
) -> Any:
    """One Threads Graph call; Graph throttling answers are transient ``rate_limited``."""
    version = channel.option("graph_version") or DEFAULT_VERSION
    try:
        return await bearer_call(
            http, channel, method, f"/{version}/{path}", "threads", reason=graph_reason, **kw
        )
    except PermanentSendError as exc:
        if exc.code in RATE_LIMIT_CODES:
            raise TransientSendError(
                "rate_limited", str(exc), status=exc.status, retry_after=None
            ) from exc
        raise


class ThreadsSender:
    """Creates and publishes a reply container as the channel's Threads user; checked by
    listing the post's replies for the brand's own."""

    platform = "threads"
    reconcile: Reconcile = "lookup"

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Creates the container, then publishes it (not idempotent: the publish posts)."""
        user = channel.option("user_id") or channel.channel
        container: Any = await threads_call(
            http,
            channel,
            "POST",
            f"{user}/threads",
            data={"media_type": "TEXT", "text": reply.text, "reply_to_id": reply.post_native_id},
        )
        published: Any = await threads_call(
            http,
            channel,
            "POST",
            f"{user}/threads_publish",
            data={"creation_id": str(container["id"])},
        )
        media_id = str(published["id"])
        return Delivered(media_id, await self._permalink(media_id, channel, http))

    async def _permalink(
        self, media_id: str, channel: Channel, http: httpx.AsyncClient
    ) -> str | None:
        # the reply is already published: a failed look-up only costs the link
        try:
            data: Any = await threads_call(
                http, channel, "GET", media_id, params={"fields": "permalink"}
            )
        except SendError:
            return None
        link = data.get("permalink") if isinstance(data, dict) else None
        return link if isinstance(link, str) else None

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Lists the post's direct replies and matches the brand's own (read only)."""
        data: Any = await threads_call(
            http,
            channel,
            "GET",
            f"{reply.post_native_id}/replies",
            params={"fields": "id,text,permalink,is_reply_owned_by_me", "reverse": "true"},
        )
        for r in data.get("data") or []:
            if r.get("is_reply_owned_by_me") is True and same_text(reply.text, r.get("text")):
                return Delivered(str(r["id"]), r.get("permalink"))
        return None
