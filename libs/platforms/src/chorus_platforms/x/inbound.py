"""X (Twitter): API v2 responses and Account Activity API webhooks, CRC and signatures.

* ``normalize``: an Account Activity delivery (``for_user_id`` + ``*_events``, see
  :mod:`.activity`), a v2 response (``data`` / ``includes`` / ``meta``: tweets or DM events,
  see :mod:`.v2`) or v1.1 statuses (one status, a timeline list, or a search page's
  ``statuses``, see :mod:`.v1`; these name no brand account, so the channel must).
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
from chorus_platforms.x.activity import is_activity, normalize_activity
from chorus_platforms.x.v1 import is_status, status_post
from chorus_platforms.x.v2 import normalize_v2

SIGNATURE_HEADER = "x-twitter-webhooks-signature"


def x_signature(secret: str, message: bytes) -> str:
    return "sha256=" + base64.b64encode(signatures.hmac_sha256(secret, message)).decode("ascii")


def _crc(token: str, key: str) -> dict[str, str]:
    return {"response_token": x_signature(key, token.encode("utf-8"))}


def _statuses(raw: RawInput, statuses: list[Any], path: str) -> NormalizeResult:
    channel = require_channel(raw)
    items = Items()
    for i, status in enumerate(statuses):
        guess = as_id(as_dict(status).get("id_str"))
        where = f"{path}[{i}]" if path != "." else ""
        items.add(where, status, guess, status_post, channel, status)
    return items.result


class XConnector:
    """X adapter: pure normalize, webhook signature check, CRC challenge."""

    platform: str = "x"

    def normalize(self, raw: RawInput) -> NormalizeResult:
        """Parse an Account Activity delivery or a v2 tweet response into posts; pure."""
        body = load_json(raw)
        if isinstance(body, list) and body and all(is_status(s) for s in body):
            return _statuses(raw, body, "")
        if not isinstance(body, dict):
            raise NormalizeError("unrecognized_payload", "expected an X JSON object")
        if is_activity(body):
            return normalize_activity(body)
        if "data" in body or "meta" in body:
            return normalize_v2(raw, body)
        if isinstance(body.get("statuses"), list):
            return _statuses(raw, body["statuses"], "statuses")
        if is_status(body):
            return _statuses(raw, [body], ".")
        if "errors" in body:
            raise NormalizeError("platform_error", "the X response holds only errors", "errors")
        raise NormalizeError("unrecognized_payload", "expected Account Activity, v2 or v1.1")

    def verify(self, raw: RawInput, secrets: Mapping[str, str], now: datetime) -> None:
        """Base64 HMAC-SHA256 of the raw body with ``consumer_secret``; ``SignatureError``."""
        given = signatures.signature_header(raw, SIGNATURE_HEADER)
        expected = x_signature(signatures.secret(secrets, "consumer_secret"), raw.body)
        signatures.require_equal(given, expected, SIGNATURE_HEADER)

    def handshake(
        self, query: Mapping[str, str], secrets: Mapping[str, str]
    ) -> HandshakeResponse | None:
        """Answer the CRC: ``response_token`` from ``crc_token`` and ``consumer_secret``."""
        return signatures.hmac_challenge(query, "crc_token", secrets, "consumer_secret", _crc)
