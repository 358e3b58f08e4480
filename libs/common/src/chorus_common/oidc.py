"""Access tokens of the organization's OpenID provider: discovery, its JWKS, verification.

The provider's keys come from ``{issuer}/.well-known/openid-configuration`` → ``jwks_uri``
through PyJWT's :class:`jwt.PyJWKClient` (its key-set cache; an unknown ``kid`` refetches the
set once, at most once per cooldown). Fetching runs in a worker thread with a timeout, so a
slow provider never blocks the event loop. Tokens already verified are remembered until they
expire, for at most the key set's lifespan, and only while the key that signed them is still
published (a rotated-out key stops its tokens at the next fetch).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

# How long a fetched key set is trusted before it is fetched again.
JWKS_LIFESPAN_SECONDS = 300.0
# The least time between two fetches caused by an unknown key id: a rotation is seen within
# it, and tokens with made-up key ids cannot make us hammer the provider.
JWKS_REFRESH_COOLDOWN_SECONDS = 5.0
# After the provider failed to answer, requests fail fast for this long instead of queueing.
FAILURE_BACKOFF_SECONDS = 2.0
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub")


class TokenRefused(Exception):
    """The token is not acceptable (``code``: token_invalid or token_expired)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class IdpUnavailable(Exception):
    """The provider's discovery document or keys could not be fetched."""


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the provider says the bearer is (the claims Chorus relies on)."""

    sub: str
    email: str | None = None
    email_verified: bool = False


def unverified_issuer(token: str) -> str | None:
    """The ``iss`` claim a token claims, unchecked: only to choose how to verify it."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return None
    iss = claims.get("iss")
    return iss if isinstance(iss, str) else None


class OidcVerifier:
    """Verifies one provider's access tokens (signature, ``iss``, ``aud``, ``exp``/``nbf``/``iat``)."""

    def __init__(
        self,
        issuer: str,
        *,
        audience: str,
        algorithms: list[str],
        leeway: float = 30.0,
        timeout: float = 5.0,
        cache_size: int = 1024,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.algorithms = list(algorithms)
        self.leeway = leeway
        self.timeout = timeout
        self.cache_size = cache_size
        self._jwks: jwt.PyJWKClient | None = None
        self._kids: frozenset[str] = frozenset()
        self._known: dict[str, tuple[Identity, float, str]] = {}
        self._lock = asyncio.Lock()
        self._failed_at = float("-inf")

    def known_subject(self, token: str) -> str | None:
        """The subject of a token verified before and still valid (no I/O; None: unknown)."""
        hit = self._known.get(token)
        if hit is None or time.time() >= hit[1] or hit[2] not in self._kids:
            return None
        return hit[0].sub

    async def verify(self, token: str) -> Identity:
        """The token's identity; raises :class:`TokenRefused` or :class:`IdpUnavailable`."""
        hit = self._known.get(token)
        if hit is not None:
            identity, until, signer = hit
            if time.time() < until and signer in self._kids:
                return identity
            del self._known[token]  # expired, or its key is no longer published: check afresh
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise TokenRefused("token_invalid", "invalid token: not a JWT") from exc
        if header.get("alg") not in self.algorithms:
            raise TokenRefused("token_invalid", "invalid token: signature algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenRefused("token_invalid", "invalid token: no key id")
        key = await self._signing_key(kid)
        claims = self._decode(token, key)
        email = claims.get("email")
        identity = Identity(
            sub=str(claims["sub"]),
            email=email if isinstance(email, str) and email else None,
            email_verified=claims.get("email_verified") is True,
        )
        until = min(float(claims["exp"]) + self.leeway, time.time() + JWKS_LIFESPAN_SECONDS)
        if len(self._known) >= self.cache_size:
            del self._known[next(iter(self._known))]
        self._known[token] = (identity, until, kid)
        return identity

    def _decode(self, token: str, key: Any) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=self.algorithms,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenRefused("token_expired", "token has expired") from exc
        except jwt.InvalidTokenError as exc:
            raise TokenRefused("token_invalid", f"invalid token: {type(exc).__name__}") from exc
        return claims

    async def _signing_key(self, kid: str) -> Any:
        """The provider's public key ``kid``: from the cached set, else fetched in a thread."""
        cached = self._cached_set()
        for known in cached.keys if cached is not None else ():
            if known.key_id == kid:
                return known.key  # in the cache: no I/O, no wait on a fetch in progress
        async with self._lock:
            if time.monotonic() - self._failed_at < FAILURE_BACKOFF_SECONDS:
                raise IdpUnavailable("the identity provider did not answer a moment ago")
            try:
                return await asyncio.to_thread(self._fetch_key, kid)
            except (httpx.HTTPError, jwt.PyJWKClientConnectionError, ValueError) as exc:
                self._failed_at = time.monotonic()
                raise IdpUnavailable(
                    f"the identity provider at {self.issuer} did not answer"
                ) from exc

    def _fetch_key(self, kid: str) -> Any:
        """Runs in a worker thread: discovery (once), then the key set (PyJWKClient's cache)."""
        if self._jwks is None:
            self._jwks = jwt.PyJWKClient(
                self._discover_jwks_uri(),
                cache_keys=False,
                lifespan=JWKS_LIFESPAN_SECONDS,
                timeout=self.timeout,
                cooldown_duration=JWKS_REFRESH_COOLDOWN_SECONDS,
                headers={"User-Agent": "chorus"},
            )
        try:
            key = self._jwks.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError:
            raise
        except (jwt.PyJWKClientError, jwt.PyJWKSetError) as exc:
            raise TokenRefused("token_invalid", "invalid token: unknown signing key") from exc
        finally:
            current = self._cached_set()
            if current is not None:
                self._kids = frozenset(k.key_id for k in current.keys if k.key_id)
        return key.key

    def _cached_set(self) -> jwt.PyJWKSet | None:
        jwks = self._jwks
        return jwks.jwk_set_cache.get() if jwks is not None and jwks.jwk_set_cache else None

    def _discover_jwks_uri(self) -> str:
        url = f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"
        response = httpx.get(url, timeout=self.timeout, follow_redirects=False)
        response.raise_for_status()
        doc = response.json()
        if not isinstance(doc, dict) or doc.get("issuer") != self.issuer:
            raise ValueError(f"{url} describes another issuer")
        jwks_uri = doc.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise ValueError(f"{url} has no jwks_uri")
        return jwks_uri
