"""TikTok webhooks: the ``TikTok-Signature`` check and the event envelope.

Signature (https://developers.tiktok.com/doc/webhooks-verification): the header is
``t=<unix seconds>,s=<hex>``; ``s`` is HMAC-SHA256 keyed with the app's client secret over
``"<t>.<raw body>"``. The timestamp is signed too, so a delivery older (or newer) than
``TOLERANCE`` seconds is refused as a replay. Envelope
(https://developers.tiktok.com/doc/webhooks-events): ``client_key``, ``event``,
``create_time``, ``user_openid`` and ``content``, a JSON document serialized as a string.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

from chorus_platforms.kit import fields as fk
from chorus_platforms.kit.inbound import RawInput, SignatureError
from chorus_platforms.kit.signatures import equal, secret, signature_header

TOLERANCE = 300
HEADER = "tiktok-signature"
# comment.update actions that are not a new comment, with the skip code each gets.
NOT_NEW = {
    "delete": "deleted",
    "set_to_hidden": "visibility_change",
    "set_to_friends_only": "visibility_change",
    "set_to_public": "visibility_change",
}


def sign(client_secret: str, stamp: str, body: bytes) -> str:
    """The ``s`` value TikTok sends for ``body`` at ``stamp``."""
    mac = hmac.new(client_secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
    return mac.hexdigest()


def verify(raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
    """Missing header: 401; malformed, wrong or outside the tolerance: 403."""
    key = secret(secrets, "client_secret")
    parts: dict[str, str] = {}
    for element in signature_header(raw, HEADER).split(","):
        name, _, value = element.strip().partition("=")
        parts[name.strip()] = value.strip()
    stamp, received = parts.get("t", ""), parts.get("s", "")
    if not stamp.isdigit() or len(stamp) > 12 or not received:
        raise SignatureError(403, "signature_invalid", "TikTok-Signature is not t=<time>,s=<hex>")
    if abs(now.timestamp() - int(stamp)) > TOLERANCE:
        raise SignatureError(403, "signature_replayed", "TikTok-Signature is too old or early")
    if not equal(sign(key, stamp, raw.body), received.lower()):
        raise SignatureError(403, "signature_mismatch", "TikTok-Signature does not match the body")


def content_of(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The event's ``content``: a serialized JSON object (an object is taken as is)."""
    content = event.get("content")
    if isinstance(content, Mapping):
        return content
    if not isinstance(content, str):
        raise fk.ItemProblem("invalid_field", "content must be a JSON string", "content")
    try:
        parsed = orjson.loads(content)
    except orjson.JSONDecodeError:
        raise fk.ItemProblem("invalid_field", "content is not JSON", "content") from None
    return fk.obj(parsed, "content")


def comment_event(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The comment a ``comment.update`` event announces, as a comment-list element; or a Skip."""
    name = event.get("event")
    if name != "comment.update":
        raise fk.Skip("not_a_comment", f"the {str(name)[:60]} event is not a comment")
    content = content_of(event)
    action = content.get("comment_action")
    if action in NOT_NEW:
        raise fk.Skip(NOT_NEW[str(action)], f"comment_action {action} changes a known comment")
    if not isinstance(content.get("text"), str):
        # The event names the comment only: the channel's comment-list poll reads it.
        raise fk.Skip("fetch_needed", "comment.update carries no text; the poll reads it")
    parent = content.get("parent_comment_id")
    return {
        "comment_id": content.get("comment_id"),
        "video_id": content.get("video_id"),
        "parent_comment_id": parent if content.get("comment_type") == "reply" else None,
        "text": content["text"],
        "create_time": content.get("timestamp") or event.get("create_time"),
        "user_id": content.get("user_id") or content.get("unique_identifier"),
        "username": content.get("username"),
    }
