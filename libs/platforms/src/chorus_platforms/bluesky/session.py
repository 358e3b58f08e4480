"""App-password sessions against the account's PDS, kept between calls.

``com.atproto.server.createSession`` (``identifier`` + app password) gives ``accessJwt`` and
``refreshJwt``; ``com.atproto.server.refreshSession`` (with the refresh token) renews both.
The PDS limits session creation (30 per 5 minutes, 300 a day per account), so a session is
reused until its access token is about to expire, then refreshed, and created again only when
the refresh is refused (https://docs.bsky.app/docs/advanced-guides/rate-limits).
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from chorus_platforms.kit.outbound import SendError, call

DEFAULT_SERVICE = "https://bsky.social"
# An access token is renewed this long before it expires.
MARGIN_SECONDS = 60.0
# When a token does not say when it expires (its ``exp`` claim), it is trusted this long.
UNKNOWN_LIFETIME = 300.0


def xrpc_reason(body: Any) -> tuple[str | None, str]:
    """An XRPC error body ``{"error": "Name", "message": "…"}`` as (code, message)."""
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"], str(body.get("message") or body["error"])
    return None, str(body)[:500]


def service_of(config: Mapping[str, Any]) -> str:
    """The account's PDS (``service``, else the poll ``url``), ``https://bsky.social`` by default."""
    found = config.get("service") or config.get("url") or DEFAULT_SERVICE
    service = str(found).strip().rstrip("/")
    return service if "://" in service else f"https://{service}"


def expires_at(jwt: str, now: float) -> float:
    """The ``exp`` claim of a JWT, read without checking it (the PDS checks its own tokens)."""
    try:
        payload = jwt.split(".")[1]
        claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        exp = claims.get("exp") if isinstance(claims, dict) else None
    except (IndexError, ValueError, orjson.JSONDecodeError):
        exp = None
    return float(exp) if isinstance(exp, int | float) else now + UNKNOWN_LIFETIME


@dataclass(frozen=True)
class Session:
    did: str
    handle: str
    access: str
    refresh: str
    access_until: float


class Sessions:
    """Sessions by (PDS, identifier); created, reused and refreshed on demand."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._cache: dict[tuple[str, str], Session] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    async def get(
        self, http: httpx.AsyncClient, service: str, identifier: str, password: str
    ) -> Session:
        """A session with a usable access token (one creation or refresh at a time per key)."""
        key = (service, identifier)
        async with self._locks.setdefault(key, asyncio.Lock()):
            current = self._cache.get(key)
            if current is not None and current.access_until - MARGIN_SECONDS > self._clock():
                return current
            fresh = None
            if current is not None:
                fresh = await self._refresh(http, service, current)
            if fresh is None:
                fresh = await self._create(http, service, identifier, password)
            self._cache[key] = fresh
            return fresh

    def expire(self, service: str, identifier: str) -> None:
        """Forget that the access token is usable (the PDS said it expired): refresh next."""
        key = (service, identifier)
        current = self._cache.get(key)
        if current is not None:
            self._cache[key] = Session(
                current.did, current.handle, current.access, current.refresh, 0.0
            )

    async def _create(
        self, http: httpx.AsyncClient, service: str, identifier: str, password: str
    ) -> Session:
        body = await call(
            http,
            "POST",
            f"{service}/xrpc/com.atproto.server.createSession",
            platform="bluesky",
            reason=xrpc_reason,
            json={"identifier": identifier, "password": password},
        )
        return self._session(body)

    async def _refresh(
        self, http: httpx.AsyncClient, service: str, current: Session
    ) -> Session | None:
        try:
            body = await call(
                http,
                "POST",
                f"{service}/xrpc/com.atproto.server.refreshSession",
                platform="bluesky",
                reason=xrpc_reason,
                headers={"Authorization": f"Bearer {current.refresh}"},
            )
        except SendError as exc:
            if exc.transient:
                raise
            return None  # the refresh token expired or was revoked: log in again
        return self._session(body)

    def _session(self, body: Any) -> Session:
        access = str(body["accessJwt"])
        return Session(
            did=str(body["did"]),
            handle=str(body.get("handle") or ""),
            access=access,
            refresh=str(body["refreshJwt"]),
            access_until=expires_at(access, self._clock()),
        )
