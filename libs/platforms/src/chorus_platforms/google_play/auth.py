"""Google service-account access tokens: the OAuth 2.0 JWT bearer grant (RFC 7523).

The key file's ``client_email`` signs (RS256, ``kid`` = ``private_key_id``) a one-hour
assertion for ``scope`` with ``aud`` = its ``token_uri``; the token endpoint answers an
``access_token`` with ``expires_in``. Tokens are kept until a minute before they expire.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import orjson

from chorus_platforms.kit.outbound import PermanentSendError, call

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
SCOPE = "https://www.googleapis.com/auth/androidpublisher"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_SECONDS = 3600
EARLY_SECONDS = 60


@dataclass(frozen=True, slots=True)
class ServiceAccount:
    client_email: str
    private_key: str
    token_uri: str
    key_id: str | None

    @classmethod
    def from_json(cls, text: str) -> ServiceAccount:
        """The JSON key file as downloaded from Google Cloud; a clear error when it is not one."""
        try:
            data = orjson.loads(text)
            email, key = data["client_email"], data["private_key"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            raise PermanentSendError(
                "channel_not_configured", "service_account_json is not a service account key file"
            ) from None
        if not isinstance(email, str) or not isinstance(key, str):
            raise PermanentSendError(
                "channel_not_configured", "service_account_json needs client_email and private_key"
            )
        uri = data.get("token_uri")
        kid = data.get("private_key_id")
        return cls(
            email, key, uri if isinstance(uri, str) else GOOGLE_TOKEN_URI,
            kid if isinstance(kid, str) else None,
        )  # fmt: skip

    def assertion(self, scope: str, now: float) -> str:
        claims = {
            "iss": self.client_email,
            "scope": scope,
            "aud": self.token_uri,
            "iat": int(now),
            "exp": int(now) + ASSERTION_SECONDS,
        }
        headers = {"kid": self.key_id} if self.key_id else None
        try:
            return jwt.encode(claims, self.private_key, algorithm="RS256", headers=headers)
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise PermanentSendError(
                "channel_not_configured", "the service account's private_key cannot sign"
            ) from exc


class TokenCache:
    """Access tokens per (token endpoint, account, scope), exchanged when missing or expiring."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, str], tuple[str, float]] = {}

    def clear(self) -> None:
        """Forget every token: the API refused one, so the next call exchanges afresh."""
        self._tokens.clear()

    async def token(
        self, account: ServiceAccount, scope: str, http: httpx.AsyncClient, platform: str
    ) -> str:
        key = (account.token_uri, account.client_email, scope)
        cached = self._tokens.get(key)
        now = time.time()
        if cached is not None and cached[1] > now:
            return cached[0]
        form = {"grant_type": JWT_BEARER, "assertion": account.assertion(scope, now)}
        try:
            data = await call(http, "POST", account.token_uri, platform=platform, data=form)
        except PermanentSendError as exc:  # a refused grant: the key, its rights or the clock
            raise PermanentSendError("auth_failed", str(exc), status=exc.status) from exc
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise PermanentSendError("auth_failed", f"{platform}: the token endpoint gave no token")
        lifetime = data.get("expires_in")
        seconds = lifetime if isinstance(lifetime, int) and lifetime > 0 else ASSERTION_SECONDS
        self._tokens[key] = (token, now + max(0, seconds - EARLY_SECONDS))
        return token


async def service_bearer(
    tokens: TokenCache, key_file: Any, http: httpx.AsyncClient, platform: str
) -> dict[str, str]:
    """The ``Authorization`` of a service account's key file (empty without one)."""
    if not isinstance(key_file, str) or not key_file:
        return {}
    token = await tokens.token(ServiceAccount.from_json(key_file), SCOPE, http, platform)
    return {"Authorization": f"Bearer {token}"}
