"""Webhook authenticity checks shared by the connectors (pure, constant time).

* ``hub_signature``: ``X-Hub-Signature: <alg>=<hex HMAC of the raw body>`` (WebSub, Mastodon).
* ``basic_auth``: HTTP Basic credentials embedded in the subscription URL (Trustpilot).
* ``shared_token``: a secret token in the push URL's query string (Google Pub/Sub push).
* ``relay_hmac``: the Chorus relay scheme for sources without platform webhooks:
  ``X-Chorus-Timestamp: <unix seconds>`` and
  ``X-Chorus-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``,
  rejected when the timestamp is more than ``RELAY_TOLERANCE`` seconds away from now.

Missing credentials raise ``SignatureError(401)``; wrong, stale or unconfigured ones ``403``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Mapping
from datetime import datetime

import orjson

from chorus_platforms.kit.inbound import HandshakeResponse, RawInput, SignatureError

RELAY_TOLERANCE = 300
_HUB_ALGS = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}


def equal(a: str | bytes, b: str | bytes) -> bool:
    """Constant-time comparison of two secrets."""
    ab = a.encode("utf-8", "surrogatepass") if isinstance(a, str) else a
    bb = b.encode("utf-8", "surrogatepass") if isinstance(b, str) else b
    return hmac.compare_digest(ab, bb)


def hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()


def secret(secrets: Mapping[str, str], key: str) -> str:
    """The configured secret ``key``; a missing one refuses the request (403)."""
    value = secrets.get(key)
    if not isinstance(value, str) or not value:
        raise SignatureError(403, "secret_not_configured", f"channel secret {key!r} is not set")
    return value


def require_equal(given: str, expected: str, header: str) -> None:
    """A signature header that does not match is ``SignatureError(403, "bad_signature")``."""
    if not equal(given, expected):
        raise SignatureError(403, "bad_signature", f"{header} does not match")


def signature_header(raw: RawInput, name: str) -> str:
    """The signature header (lower-case ``name``) or a 401 when it is absent."""
    value = raw.headers.get(name)
    if not value:
        raise SignatureError(401, "missing_signature", f"missing {name} header")
    return value


def hub_signature(raw: RawInput, secrets: Mapping[str, str], key: str = "webhook_secret") -> None:
    """``X-Hub-Signature`` (or ``X-Hub-Signature-256``): HMAC of the raw body with the shared secret."""
    key_value = secret(secrets, key)
    header = raw.headers.get("x-hub-signature-256") or raw.headers.get("x-hub-signature")
    if not header:
        raise SignatureError(401, "signature_missing", "X-Hub-Signature header is missing")
    alg, _, received = header.strip().partition("=")
    digestmod = _HUB_ALGS.get(alg.strip().lower())
    if digestmod is None or not received:
        raise SignatureError(403, "signature_invalid", "X-Hub-Signature is not <alg>=<hex>")
    expected = hmac.new(key_value.encode(), raw.body, digestmod).hexdigest()
    if not equal(expected, received.strip().lower()):
        raise SignatureError(403, "signature_mismatch", "X-Hub-Signature does not match the body")


def basic_auth(raw: RawInput, secrets: Mapping[str, str]) -> None:
    """HTTP Basic ``Authorization`` against ``secrets['basic_username']`` / ``['basic_password']``."""
    user, password = secret(secrets, "basic_username"), secret(secrets, "basic_password")
    header = raw.headers.get("authorization", "")
    scheme, _, value = header.strip().partition(" ")
    if not header or scheme.lower() != "basic":
        raise SignatureError(401, "credentials_missing", "HTTP Basic credentials are missing")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise SignatureError(
            403, "credentials_invalid", "Authorization is not valid Basic"
        ) from exc
    got_user, sep, got_password = decoded.partition(":")
    ok_user = equal(got_user, user)
    ok_password = equal(got_password, password)
    if not (sep and ok_user and ok_password):
        raise SignatureError(403, "credentials_mismatch", "HTTP Basic credentials are wrong")


def shared_token(raw: RawInput, secrets: Mapping[str, str], key: str = "token") -> None:
    """A secret ``token`` query parameter of the push URL (``?token=…``)."""
    expected = secret(secrets, key)
    received = raw.query.get("token")
    if not received:
        raise SignatureError(401, "token_missing", "the token query parameter is missing")
    if not equal(expected, received):
        raise SignatureError(403, "token_mismatch", "the token query parameter is wrong")


def relay_hmac(
    raw: RawInput, secrets: Mapping[str, str], now: datetime, key: str = "signing_secret"
) -> None:
    """The Chorus relay scheme (see module docstring): timestamped HMAC-SHA256, replay-bounded."""
    key_value = secret(secrets, key)
    stamp = raw.headers.get("x-chorus-timestamp", "").strip()
    signature = raw.headers.get("x-chorus-signature", "").strip()
    if not stamp or not signature:
        raise SignatureError(401, "signature_missing", "X-Chorus-Timestamp/Signature are missing")
    if not stamp.isdigit() or len(stamp) > 12:
        raise SignatureError(403, "signature_invalid", "X-Chorus-Timestamp is not Unix seconds")
    if abs(now.timestamp() - int(stamp)) > RELAY_TOLERANCE:
        raise SignatureError(
            403, "signature_replayed", "X-Chorus-Timestamp is too old or in the future"
        )
    expected = relay_signature(key_value, stamp, raw.body)
    if not equal(expected, signature.lower()):
        raise SignatureError(
            403, "signature_mismatch", "X-Chorus-Signature does not match the body"
        )


def relay_signature(key: str, stamp: str, body: bytes) -> str:
    """The ``X-Chorus-Signature`` value for ``body`` sent at ``stamp``."""
    mac = hmac.new(key.encode(), stamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


MAX_CHALLENGE = 512


def hmac_challenge(
    query: Mapping[str, str],
    param: str,
    secrets: Mapping[str, str],
    key: str,
    answer: Callable[[str, str], dict[str, str]],
) -> HandshakeResponse:
    """A webhook subscription challenge (X ``crc_token``, LinkedIn ``challengeCode``): the
    query token and the channel secret give the JSON ``answer(token, secret)``."""
    token = query.get(param) or ""
    if not token or len(token) > MAX_CHALLENGE:
        return HandshakeResponse(400, f"missing or invalid {param}".encode())
    value = secrets.get(key)
    if not value:
        return HandshakeResponse(403, b"challenge not configured")
    return HandshakeResponse(200, orjson.dumps(answer(token, value)), "application/json")
