"""App Store: the developer's response to a customer review, one per review.

``POST /v1/customerReviewResponses`` creates the response or overwrites the existing one
(https://developer.apple.com/documentation/appstoreconnectapi/post-v1-customerreviewresponses),
so repeating it is harmless; ``GET /v1/customerReviews/{id}/response`` reads it back.
Auth: an ES256 token from the channel's ``issuer_id``, ``key_id`` and ``private_key`` (.p8).
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import httpx

from chorus_platforms.app_store.auth import SigningKeyError, api_token
from chorus_platforms.kit.outbound import (
    Channel,
    Delivered,
    OutboundReply,
    PermanentSendError,
    Reconcile,
    call,
    same_text,
)

APP_STORE_BASE = "https://api.appstoreconnect.apple.com"
# App Store Connect takes responses of up to 5,970 characters.
RESPONSE_LIMIT = 5970


def apple_reason(body: Any) -> tuple[str | None, str]:
    """JSON:API ``errors[]``: ``code`` and ``title: detail`` of the first."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        title, detail = first.get("title"), first.get("detail")
        message = f"{title}: {detail}" if title and detail else str(title or detail or first)
        return (str(first["code"]) if first.get("code") else None), message
    return None, str(body)[:500]


class AppStoreSender:
    """One response per review, created or overwritten by the same call (idempotent)."""

    platform = "app_store"
    reconcile: Reconcile = "idempotent"

    async def send(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered:
        """Creates the response, or replaces the brand's earlier one (``mode=update`` too)."""
        body = {
            "data": {
                "type": "customerReviewResponses",
                "attributes": {"responseBody": reply.text},
                "relationships": {
                    "review": {"data": {"type": "customerReviews", "id": reply.post_native_id}}
                },
            }
        }
        data: Any = await call(
            http,
            "POST",
            channel.url("/v1/customerReviewResponses"),
            platform=self.platform,
            reason=apple_reason,
            json=body,
            headers=_auth(channel),
        )
        return Delivered(str(data["data"]["id"]), reply.post_url)

    async def find(
        self, reply: OutboundReply, channel: Channel, http: httpx.AsyncClient
    ) -> Delivered | None:
        """Reads the review's response and compares it (read only; 404: none yet)."""
        review = quote(reply.post_native_id, safe="")
        try:
            data: Any = await call(
                http,
                "GET",
                channel.url(f"/v1/customerReviews/{review}/response"),
                platform=self.platform,
                reason=apple_reason,
                headers=_auth(channel),
            )
        except PermanentSendError as exc:
            if exc.status == 404:
                return None
            raise
        found = data.get("data") or {}
        if same_text(reply.text, (found.get("attributes") or {}).get("responseBody")):
            return Delivered(str(found.get("id")), reply.post_url)
        return None


def _auth(channel: Channel) -> dict[str, str]:
    try:
        token = api_token(
            channel.secret("issuer_id"),
            channel.secret("key_id"),
            channel.secret("private_key"),
            time.time(),
        )
    except SigningKeyError as exc:
        raise PermanentSendError("channel_not_configured", str(exc)) from exc
    return {"Authorization": f"Bearer {token}"}
