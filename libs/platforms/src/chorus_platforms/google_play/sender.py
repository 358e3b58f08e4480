"""Google Play: the developer's reply to a review (`reviews.reply`), one editable per review.

Only reviews created or modified in the last seven days can be read or answered through the
API; an older review is refused here with ``reply_window_closed`` before any reply is sent
(the Play Console still takes it). Auth: the channel's service account key
(``service_account_json``, JWT bearer grant, scope ``androidpublisher``) or an
``access_token``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from chorus_platforms.google_play.auth import SCOPE, ServiceAccount, TokenCache
from chorus_platforms.google_play.inbound import REVIEW_WINDOW, play_time
from chorus_platforms.kit.fields import ItemProblem
from chorus_platforms.kit.outbound import (
    Channel,
    Delivered,
    OutboundReply,
    PermanentSendError,
    Reconcile,
    call,
    same_text,
)

PLAY_BASE = "https://androidpublisher.googleapis.com"
REPLY_LIMIT = 350


class GooglePlaySender:
    """POST …/reviews/{id}:reply creates or replaces the developer reply (idempotent)."""

    platform = "google_play"
    reconcile: Reconcile = "idempotent"

    def __init__(self) -> None:
        self.tokens = TokenCache()

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Reads the review (its age), then upserts the reply; repeating it leaves one reply."""
        if len(reply.text) > REPLY_LIMIT:
            raise PermanentSendError(
                "too_long", f"Google Play replies take {REPLY_LIMIT} characters at most"
            )
        headers = await self._auth(channel, http)
        review = await self._review(reply, channel, http, headers)
        _check_window(review, datetime.now(UTC))
        await call(
            http,
            "POST",
            channel.url(f"{_review_path(reply, channel)}:reply"),
            platform=self.platform,
            json={"replyText": reply.text},
            headers=headers,
        )
        return Delivered(f"{reply.post_native_id}/reply", reply.post_url)

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Reads the review and compares its developer comment (read only)."""
        review = await self._review(reply, channel, http, await self._auth(channel, http))
        for comment in review.get("comments") or []:
            answer = (comment or {}).get("developerComment") or {}
            if same_text(reply.text, answer.get("text")):
                return Delivered(f"{reply.post_native_id}/reply", reply.post_url)
        return None

    async def _review(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient, headers: Any
    ) -> dict[str, Any]:
        try:
            data = await call(
                http,
                "GET",
                channel.url(_review_path(reply, channel)),
                platform=self.platform,
                headers=headers,
            )
        except PermanentSendError as exc:
            if exc.status == 404:  # older than the window, or gone: the API no longer shows it
                raise _window_closed() from exc
            raise
        return data if isinstance(data, dict) else {}

    async def _auth(self, channel: Channel, http: httpx.AsyncClient) -> dict[str, str]:
        key = channel.credentials.get("service_account_json")
        if key:
            account = ServiceAccount.from_json(key)
            token = await self.tokens.token(account, SCOPE, http, self.platform)
        else:
            token = channel.secret("access_token")
        return {"Authorization": f"Bearer {token}"}


def _review_path(reply: OutboundReply, channel: Channel) -> str:
    package = channel.option("package_name") or channel.channel
    review = quote(reply.post_native_id, safe="")
    return f"/androidpublisher/v3/applications/{quote(package, safe='')}/reviews/{review}"


def _check_window(review: dict[str, Any], now: datetime) -> None:
    """The newest user comment must be younger than the API's seven-day window."""
    times = []
    for comment in review.get("comments") or []:
        user = (comment or {}).get("userComment") if isinstance(comment, dict) else None
        if isinstance(user, dict):
            try:
                times.append(play_time(user.get("lastModified"), "lastModified"))
            except ItemProblem:
                continue
    if times and now - max(times) > REVIEW_WINDOW:
        raise _window_closed()


def _window_closed() -> PermanentSendError:
    return PermanentSendError(
        "reply_window_closed",
        "Google Play answers through its API only reviews created or modified in the last "
        "7 days; answer this one in the Play Console",
        status=404,
    )
