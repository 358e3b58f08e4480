"""Which teams exist: the router owns the directory, so the responder asks it over REST.

``GET {ROUTER_URL}/v1/teams/{id}`` with a short-lived service token (scope ``directory:read``)
minted with the shared ``TOKEN_SECRET``. Used when an approval policy is written, so a policy
can never require a team nobody can belong to (its replies would wait for ever).
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import quote

import httpx
from chorus_common.auth import create_token

from chorus_responder.settings import ResponderSettings

TOKEN_TTL_SECONDS = 60


class DirectoryUnavailable(Exception):
    """The directory could not say (router unreachable, timing out or answering oddly)."""


class Directory(Protocol):
    async def team_exists(self, team: str) -> bool:
        """Whether the router's directory has ``team``; raises :class:`DirectoryUnavailable`."""
        ...


def _code(body: Any) -> str | None:
    """The error code of a router answer, in its ``{"error": {...}}`` or problem+json shape."""
    if not isinstance(body, dict):
        return None
    nested = body.get("error")
    code = nested.get("code") if isinstance(nested, dict) else body.get("code")
    return code if isinstance(code, str) else None


class RouterDirectory:
    """The router's teams over REST; no side effect, nothing cached (policy writes are rare)."""

    def __init__(
        self, settings: ResponderSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.base_url = settings.router_url.rstrip("/")
        self.timeout = settings.directory_timeout_seconds
        self.secret = settings.token_secret.get_secret_value()
        self.issuer = settings.token_issuer
        self.transport = transport

    async def team_exists(self, team: str) -> bool:
        token = create_token(
            self.secret,
            sub="chorus-responder",
            role="service",
            scopes=["directory:read"],
            ttl_seconds=TOKEN_TTL_SECONDS,
            issuer=self.issuer,
        )
        url = f"{self.base_url}/v1/teams/{quote(team, safe='')}"
        try:
            async with httpx.AsyncClient(transport=self.transport, timeout=self.timeout) as client:
                r = await client.get(url, headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            raise DirectoryUnavailable(f"the router at {self.base_url} did not answer") from exc
        if r.status_code == 200:
            return True
        if r.status_code == 404:
            try:
                code = _code(r.json())
            except ValueError:
                code = None
            if code == "team_not_found":
                return False
        raise DirectoryUnavailable(f"the router answered {r.status_code} for a team look-up")
