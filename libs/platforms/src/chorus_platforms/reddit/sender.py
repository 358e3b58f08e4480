"""Reddit: POST /api/comment (form-encoded, bearer token) with the parent's fullname."""

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
    fetch,
    same_text,
)

DEFAULT_BASE = "https://oauth.reddit.com"
USER_AGENT = "server:chorus-responder:0.1 (by chorus)"


def thing_id(reply: OutboundReply) -> str:
    """The parent's fullname: t3_ for a submission, t1_ for a comment, t4_ for a message."""
    native = reply.post_native_id
    if native[:3] in ("t1_", "t3_", "t4_"):
        return native
    prefix = {"post": "t3_", "dm": "t4_"}.get(reply.post_kind, "t1_")
    return prefix + native


def _headers(channel: Channel) -> dict[str, str]:
    return {
        "Authorization": f"bearer {channel.secret('access_token')}",
        "User-Agent": channel.option("user_agent") or USER_AGENT,
    }


def _link(permalink: str | None) -> str | None:
    return f"https://www.reddit.com{permalink}" if permalink else None


class RedditSender:
    """Comments under a submission or comment (or answers a message); checked via the
    account's newest comments."""

    platform = "reddit"
    reconcile: Reconcile = "lookup"

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Creates a comment (not idempotent)."""
        data: Any = await call(
            http,
            "POST",
            channel.url("/api/comment"),
            platform="reddit",
            data={"api_type": "json", "thing_id": thing_id(reply), "text": reply.text},
            headers=_headers(channel),
        )
        result = data.get("json") or {}
        errors = result.get("errors") or []
        if errors:
            # Reddit answers 200 with [code, message, field] triples for refused comments.
            code, message = str(errors[0][0]), str(errors[0][1])
            if code == "RATELIMIT":
                raise TransientSendError("rate_limited", f"reddit: {message}")
            raise PermanentSendError(code, f"reddit: {message}", status=200)
        things = (result.get("data") or {}).get("things") or []
        if not things:
            raise PermanentSendError("unexpected_response", "reddit: no comment in the answer")
        thing = things[0]["data"]
        return Delivered(str(thing.get("name") or thing["id"]), _link(thing.get("permalink")))

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Lists the account's newest comments and matches parent and text (read only)."""
        me = channel.option("username") or channel.channel
        params, path = {"sort": "new", "limit": "100"}, f"/user/{me}/comments"
        data: Any = await fetch(http, channel, path, params=params, headers=_headers(channel))
        parent = thing_id(reply)
        for child in (data.get("data") or {}).get("children") or []:
            c = child.get("data") or {}
            if c.get("parent_id") == parent and same_text(reply.text, c.get("body")):
                return Delivered(str(c.get("name") or c["id"]), _link(c.get("permalink")))
        return None
