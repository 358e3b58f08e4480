"""X (Twitter): API v2 responses and Account Activity API webhooks, CRC and signatures.

* ``normalize``: an Account Activity delivery (``for_user_id`` + ``*_events``, see
  :mod:`.activity`) or a v2 response (``data`` / ``includes`` / ``meta``, see :mod:`.v2`).
* ``verify``: ``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer_secret,
  raw body)>`` (https://developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/securing-webhooks).
  X signs no timestamp, so a replayed delivery is caught by the durable dedup on post ids.
* ``handshake``: the CRC ``GET ?crc_token=…`` answered with
  ``{"response_token": "sha256=" + base64(HMAC-SHA256(consumer_secret, crc_token))}``.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime

import orjson

from chorus_platforms.kit import signatures
from chorus_platforms.kit.inbound import (
    HandshakeResponse,
    NormalizeError,
    NormalizeResult,
    RawInput,
    SignatureError,
)
from chorus_platforms.kit.items import load_json
from chorus_platforms.x.activity import normalize_activity
from chorus_platforms.x.v2 import normalize_v2

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
_MAX_CRC_TOKEN = 512


def x_signature(secret: str, message: bytes) -> str:
    return "sha256=" + base64.b64encode(signatures.hmac_sha256(secret, message)).decode("ascii")


class XConnector:
    """X adapter: pure normalize, webhook signature check, CRC challenge."""

    platform: str = "x"

    def normalize(self, raw: RawInput) -> NormalizeResult:
        """Parse an Account Activity delivery or a v2 tweet response into posts; pure."""
        body = load_json(raw)
        if isinstance(body, dict) and "for_user_id" in body:
            return normalize_activity(body)
        if isinstance(body, dict) and ("data" in body or "meta" in body):
            return normalize_v2(raw, body)
        if isinstance(body, dict) and "errors" in body:
            raise NormalizeError("platform_error", "the X response holds only errors", "errors")
        raise NormalizeError("unrecognized_payload", "expected Account Activity or v2 tweets")

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """Base64 HMAC-SHA256 of the raw body with ``consumer_secret``; ``SignatureError``."""
        given = signatures.signature_header(raw, SIGNATURE_HEADER)
        expected = x_signature(signatures.secret(secrets, "consumer_secret"), raw.body)
        if not signatures.equal(given, expected):
            raise SignatureError(403, "bad_signature", f"{SIGNATURE_HEADER} does not match")

    def handshake(
        self, query: Mapping[str, str], secrets: Mapping[str, str]
    ) -> HandshakeResponse | None:
        """Answer the CRC: ``response_token`` from ``crc_token`` and ``consumer_secret``."""
        token = query.get("crc_token") or ""
        if not token or len(token) > _MAX_CRC_TOKEN:
            return HandshakeResponse(400, b"missing or invalid crc_token")
        secret = secrets.get("consumer_secret")
        if not secret:
            return HandshakeResponse(403, b"crc not configured")
        body = orjson.dumps({"response_token": x_signature(secret, token.encode("utf-8"))})
        return HandshakeResponse(200, body, "application/json")
