"""Who a token's member is: the router owns the directory, the other services ask it.

``POST {ROUTER_URL}/v1/directory/resolve`` with a short-lived service token (scope
``directory:read``) minted with the shared ``TOKEN_SECRET``. Answers are kept about a second,
so a member deactivated or moved to another team is seen at once everywhere.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import httpx
from cachetools import TTLCache

from chorus_common.auth import ROLES, create_token
from chorus_common.settings import CommonSettings

SERVICE_TOKEN_TTL_SECONDS = 60
# How long another service trusts the router's answer: short enough that a deactivation is
# felt within about a second, long enough that a page's burst of requests asks once.
ANSWER_TTL_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class MemberQuery:
    """Identify a member by its OpenID subject, else verified e-mail; or by member id."""

    sub: str | None = None
    email: str | None = None
    email_verified: bool = False
    member_id: str | None = None


@dataclass(frozen=True, slots=True)
class DirectoryMember:
    """A member as access control sees it: role and teams come from the directory."""

    member_id: str
    role: str
    teams: tuple[str, ...]
    active: bool


class DirectoryUnavailable(Exception):
    """The directory could not answer (router unreachable, timing out or answering oddly)."""


class MemberDirectory(Protocol):
    async def resolve(self, query: MemberQuery) -> DirectoryMember | None:
        """The member ``query`` names (None: nobody); raises :class:`DirectoryUnavailable`."""
        ...


def member_from_json(body: Any) -> DirectoryMember:
    """The router's answer; raises ValueError when it is not one."""
    if not isinstance(body, dict) or body.get("role") not in ROLES:
        raise ValueError("not a directory member")
    teams = body.get("teams")
    if not isinstance(body.get("member_id"), str) or not isinstance(teams, list):
        raise ValueError("not a directory member")
    return DirectoryMember(
        member_id=body["member_id"],
        role=body["role"],
        teams=tuple(str(t) for t in teams),
        active=body.get("active") is True,
    )


def _code(body: Any) -> str | None:
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


class RouterMembers:
    """The router's directory over REST; each answer (even "nobody") kept ~1 s."""

    def __init__(
        self,
        settings: CommonSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        ttl: float = ANSWER_TTL_SECONDS,
    ) -> None:
        self.base_url = settings.router_url.rstrip("/")
        self.timeout = settings.directory_timeout_seconds
        self.secret = settings.token_secret.get_secret_value()
        self.issuer = settings.token_issuer
        self.service = settings.service_name
        self.transport = transport
        self._answers: TTLCache[MemberQuery, DirectoryMember | None] = TTLCache(
            maxsize=4096, ttl=ttl, timer=time.monotonic
        )

    async def resolve(self, query: MemberQuery) -> DirectoryMember | None:
        if query in self._answers:
            return self._answers[query]
        answer = await self._ask(query)
        self._answers[query] = answer
        return answer

    async def _ask(self, query: MemberQuery) -> DirectoryMember | None:
        token = create_token(
            self.secret,
            sub=f"chorus-{self.service}",
            role="service",
            scopes=["directory:read"],
            ttl_seconds=SERVICE_TOKEN_TTL_SECONDS,
            issuer=self.issuer,
        )
        body = {k: v for k, v in asdict(query).items() if v is not None}
        url = f"{self.base_url}/v1/directory/resolve"
        try:
            async with httpx.AsyncClient(transport=self.transport, timeout=self.timeout) as client:
                r = await client.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
            if r.status_code == 404 and _code(r.json()) == "member_unknown":
                return None
            if r.status_code == 200:
                return member_from_json(r.json())
        except (httpx.HTTPError, ValueError) as exc:
            raise DirectoryUnavailable(f"the router at {self.base_url} did not answer") from exc
        raise DirectoryUnavailable(f"the router answered {r.status_code} to a member look-up")


def router_members(settings: CommonSettings) -> RouterMembers | None:
    """The directory a service other than the router asks (None: ROUTER_URL is empty)."""
    return RouterMembers(settings) if settings.router_url.strip() else None
