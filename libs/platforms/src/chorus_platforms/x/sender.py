"""X (Twitter) API v2: a reply is a new post with ``reply.in_reply_to_tweet_id``."""

from __future__ import annotations

from typing import Any

import httpx

from chorus_platforms.kit.outbound import (
    Channel,
    Delivered,
    OutboundReply,
    PermanentSendError,
    Reconcile,
    call,
    fetch,
    same_text,
)

DEFAULT_BASE = "https://api.x.com"


def _post_url(channel: Channel, tweet_id: str) -> str:
    user = channel.option("username")
    return (
        f"https://x.com/{user}/status/{tweet_id}"
        if user
        else f"https://x.com/i/web/status/{tweet_id}"
    )


class XSender:
    """POST /2/tweets as the brand account (OAuth 2.0 user token); checked by recent search."""

    platform = "x"
    reconcile: Reconcile = "lookup"

    def _headers(self, channel: Channel) -> dict[str, str]:
        return {"Authorization": f"Bearer {channel.secret('access_token')}"}

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Creates a reply post (not idempotent: X refuses exact duplicates with 403)."""
        body = {"text": reply.text, "reply": {"in_reply_to_tweet_id": reply.post_native_id}}
        try:
            data: Any = await call(
                http,
                "POST",
                channel.url("/2/tweets"),
                platform="x",
                json=body,
                headers=self._headers(channel),
            )
        except PermanentSendError as exc:
            # A duplicate means an earlier attempt got through: report that post instead.
            if exc.status == 403 and "duplicate" in str(exc).lower():
                found = await self.find(reply, channel, http)
                if found is not None:
                    return found
            raise
        tweet_id = str(data["data"]["id"])
        return Delivered(tweet_id, _post_url(channel, tweet_id))

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Searches recent replies to the post written by the brand account (read only)."""
        me = channel.option("username") or channel.channel
        params = {
            "query": f"in_reply_to_tweet_id:{reply.post_native_id} from:{me}",
            "max_results": "100",
            "tweet.fields": "author_id,created_at,in_reply_to_user_id",
        }
        path, headers = "/2/tweets/search/recent", self._headers(channel)
        data: Any = await fetch(http, channel, path, params=params, headers=headers)
        for tweet in data.get("data") or []:
            if same_text(reply.text, tweet.get("text")):
                return Delivered(str(tweet["id"]), _post_url(channel, str(tweet["id"])))
        return None
