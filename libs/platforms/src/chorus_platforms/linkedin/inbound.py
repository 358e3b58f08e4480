"""LinkedIn: webhook and pull pages of organization social action notifications and Comments
API objects (how each becomes a post: :mod:`.social`).

Security: https://learn.microsoft.com/en-us/linkedin/shared/api-guide/webhook-validation —
``X-LI-Signature`` = hex HMAC-SHA256(clientSecret, ``"hmacsha256=" + raw body``) and the
``challengeCode`` validation answered with ``challengeResponse`` = hex HMAC-SHA256
(clientSecret, challengeCode). No timestamp is signed: the durable dedup on post ids (and
LinkedIn's ``notificationId``) absorbs replays.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chorus_platforms.kit import signatures
from chorus_platforms.kit.fields import as_dict, as_id
from chorus_platforms.kit.inbound import (
    HandshakeResponse,
    NormalizeError,
    NormalizeResult,
    RawInput,
)
from chorus_platforms.kit.items import Items, load_json, require_channel
from chorus_platforms.linkedin.social import api_comment, notification_post

SIGNATURE_HEADER = "x-li-signature"
NOTIFICATIONS = "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS"


def _challenge_response(code: str, key: str) -> dict[str, str]:
    return {
        "challengeCode": code,
        "challengeResponse": signatures.hmac_sha256(key, code.encode("utf-8")).hex(),
    }


def _is_notification(element: Any) -> bool:
    """A notification (webhook or pull finder) rather than a Comments API object."""
    found = as_dict(element)
    return "notificationId" in found or "action" in found


def _elements(body: dict[str, Any]) -> tuple[str, list[Any]]:
    if body.get("type") == NOTIFICATIONS or "notifications" in body:
        notifications = body.get("notifications")
        if not isinstance(notifications, list):
            raise NormalizeError("missing_field", "notifications must be a list", "notifications")
        return "notifications", notifications
    if isinstance(body.get("elements"), list):
        return "elements", body["elements"]
    if ("actor" in body and "message" in body) or _is_notification(body):
        return "", [body]
    raise NormalizeError("unrecognized_payload", "expected LinkedIn notifications or comments")


def normalize_linkedin(raw: RawInput) -> NormalizeResult:
    """A webhook notification batch, a pull page of notifications or comments, or one
    notification or comment."""
    body = load_json(raw)
    if not isinstance(body, dict):
        raise NormalizeError("unrecognized_payload", "expected a LinkedIn JSON object")
    key, elements = _elements(body)
    items = Items()
    channel: str | None = None
    for i, element in enumerate(elements):
        path = f"{key}[{i}]" if key else ""
        if _is_notification(element):
            guess = as_id(as_dict(element).get("notificationId"))
            items.add(path, element, guess, notification_post, element, raw.channel)
            continue
        channel = channel or require_channel(raw)
        guess = as_id(as_dict(element).get("id"))
        items.add(path, element, guess, api_comment, channel, element)
    return items.result


class LinkedInConnector:
    """LinkedIn adapter: pure normalize, ``X-LI-Signature`` check, ``challengeCode`` answer."""

    platform: str = "linkedin"

    def normalize(self, raw: RawInput) -> NormalizeResult:
        """Parse notifications or Comments API objects into posts; pure."""
        return normalize_linkedin(raw)

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """Hex HMAC-SHA256 of ``hmacsha256=`` + raw body with ``client_secret``."""
        given = signatures.signature_header(raw, SIGNATURE_HEADER).lower()
        given = given.removeprefix("hmacsha256=")
        secret = signatures.secret(secrets, "client_secret")
        expected = signatures.hmac_sha256(secret, b"hmacsha256=" + raw.body).hex()
        signatures.require_equal(given, expected, SIGNATURE_HEADER)

    def handshake(
        self, query: Mapping[str, str], secrets: Mapping[str, str]
    ) -> HandshakeResponse | None:
        """Answer ``challengeCode`` with its hex HMAC-SHA256 under ``client_secret`` (JSON)."""
        return signatures.hmac_challenge(
            query, "challengeCode", secrets, "client_secret", _challenge_response
        )
