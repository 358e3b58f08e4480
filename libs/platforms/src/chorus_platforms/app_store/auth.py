"""App Store Connect API tokens: an ES256 JWT signed with the team's ``.p8`` key.

Header ``alg`` ES256, ``kid`` = the key id, ``typ`` JWT; claims ``iss`` = the issuer id,
``aud`` = ``appstoreconnect-v1``, ``iat`` and ``exp`` (Apple refuses tokens that live longer
than 20 minutes). https://developer.apple.com/documentation/appstoreconnectapi/generating-tokens-for-api-requests
"""

from __future__ import annotations

import jwt

AUDIENCE = "appstoreconnect-v1"
LIFETIME_SECONDS = 15 * 60


class SigningKeyError(ValueError):
    """The channel's key material cannot sign a token."""


def api_token(issuer_id: str, key_id: str, private_key: str, now: float) -> str:
    """A fresh API token, valid ``LIFETIME_SECONDS`` from ``now``."""
    claims = {
        "iss": issuer_id,
        "iat": int(now),
        "exp": int(now) + LIFETIME_SECONDS,
        "aud": AUDIENCE,
    }
    headers = {"kid": key_id, "typ": "JWT"}
    try:
        return jwt.encode(claims, private_key, algorithm="ES256", headers=headers)
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        raise SigningKeyError("private_key is not an App Store Connect .p8 (P-256) key") from exc
