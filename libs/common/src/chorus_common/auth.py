"""Bearer tokens (signed JWT) with role, member id, teams and scopes; FastAPI enforcement.

CLI-minted tokens are made and verified here; which kind a bearer token is, and the OpenID
provider's tokens, are chorus_common.authn's (each service app holds an Authenticator).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Literal, Protocol

import jwt
from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict

from chorus_common.openapi import BEARER
from chorus_common.problems import ApiProblem

Role = Literal["admin", "lead", "agent", "service"]
ROLES: tuple[str, ...] = ("admin", "lead", "agent", "service")

# What a team lead runs: cases, the people and rules that route them, replies and templates.
CASEWORK_SCOPES: tuple[str, ...] = (
    "cases:read",
    "cases:write",
    "cases:assign",
    "directory:read",
    "directory:write",
    "rules:read",
    "rules:write",
    "replies:read",
    "replies:write",
    "replies:approve",
    "templates:write",
)
ALL_SCOPES: tuple[str, ...] = (
    "posts:write",
    "posts:read",
    "deadletters:read",
    "channels:read",
    "channels:write",
    "archive:replay",
    *CASEWORK_SCOPES,
    "policies:write",
    "reports:read",
)

ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    "admin": ALL_SCOPES,
    "lead": (*CASEWORK_SCOPES, "reports:read", "channels:read"),
    "agent": (
        "cases:read",
        "cases:write",
        "directory:read",
        "rules:read",
        "replies:read",
        "replies:write",
        "replies:approve",
        "reports:read",
    ),
    "service": (
        "posts:write",
        "posts:read",
        "deadletters:read",
        "cases:read",
        "replies:read",
        "reports:read",
        "directory:read",
    ),
}


class Principal(BaseModel):
    """Who is calling: from a verified token."""

    model_config = ConfigDict(frozen=True)

    sub: str
    role: Role
    member_id: str | None = None
    teams: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can_see_team(self, team: str | None) -> bool:
        if self.role in ("admin", "service"):
            return True
        return team is not None and team in self.teams

    def can_see_any(self, teams: Iterable[str | None]) -> bool:
        return self.role in ("admin", "service") or any(t in self.teams for t in teams if t)


class AuthError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def create_token(
    secret: str,
    *,
    sub: str,
    role: str,
    member_id: str | None = None,
    teams: Iterable[str] = (),
    scopes: Iterable[str] | None = None,
    ttl_seconds: int = 30 * 24 * 3600,
    issuer: str = "chorus",
) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    scope_list = list(scopes) if scopes is not None else list(ROLE_SCOPES[role])
    unknown = [s for s in scope_list if s not in ALL_SCOPES]
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(unknown)}")
    now = int(time.time())
    claims = {
        "iss": issuer,
        "sub": sub,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + ttl_seconds,
        "role": role,
        "mid": member_id,
        "teams": sorted(set(teams)),
        "scope": " ".join(scope_list),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_token(secret: str, token: str, issuer: str = "chorus") -> Principal:
    return _verify(secret, token, issuer)[0]


def _verify(secret: str, token: str, issuer: str) -> tuple[Principal, float]:
    """The token's principal and its expiry (epoch seconds); raises :class:`AuthError`."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            issuer=issuer,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthError("token_expired", "token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise AuthError("token_invalid", f"invalid token: {type(exc).__name__}") from exc
    role = claims.get("role")
    if role not in ROLES:
        raise AuthError("token_invalid", "token has no valid role")
    principal = Principal(
        sub=str(claims["sub"]),
        role=role,
        member_id=claims.get("mid"),
        teams=tuple(claims.get("teams") or ()),
        scopes=tuple(str(claims.get("scope", "")).split()),
    )
    return principal, float(claims["exp"])


class VerifiedTokens:
    """Tokens already verified, with their principal, until they expire.

    A client sends the same bearer token with every request, and checking its signature and
    claims again on each one is a real share of a small request's cost. Only tokens that passed
    :func:`verify_token` are kept, keyed by the secret and issuer too (a rotated secret
    verifies afresh), each until its own ``exp``; the oldest go first beyond ``size``.
    """

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._known: dict[tuple[str, str, str], tuple[Principal, float]] = {}

    def verify(self, secret: str, token: str, issuer: str = "chorus") -> Principal:
        key = (secret, issuer, token)
        hit = self._known.get(key)
        if hit is not None:
            principal, expires = hit
            if time.time() < expires:
                return principal
            del self._known[key]
            raise AuthError("token_expired", "token has expired")
        principal, expires = _verify(secret, token, issuer)
        if len(self._known) >= self.size:
            del self._known[next(iter(self._known))]
        self._known[key] = (principal, expires)
        return principal

    def known(self, secret: str, token: str, issuer: str = "chorus") -> Principal | None:
        """The principal of a token verified before and not expired (None: not known)."""
        hit = self._known.get((secret, issuer, token))
        return hit[0] if hit is not None and time.time() < hit[1] else None

    def clear(self) -> None:
        self._known.clear()


VERIFIED = VerifiedTokens()


class Authenticates(Protocol):
    async def principal(self, token: str) -> Principal:
        """The token's principal; raises AuthError (401) or ApiProblem (403, 503)."""
        ...


def require(*scopes: str) -> Callable[..., Awaitable[Principal]]:
    """FastAPI dependency: a valid bearer token holding every one of ``scopes``."""

    async def dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Security(BEARER),
    ) -> Principal:
        if credentials is None or not credentials.credentials.strip():
            raise ApiProblem(
                401,
                "missing_token",
                "a bearer token is required",
                field="header.Authorization",
                headers={"WWW-Authenticate": "Bearer"},
            )
        token = credentials.credentials.strip()
        # Every service app has one (chorus_common.authn); a bare app knows CLI tokens only.
        authenticator: Authenticates | None = getattr(request.app.state, "authenticator", None)
        try:
            if authenticator is not None:
                principal = await authenticator.principal(token)
            else:
                settings = request.app.state.settings
                secret = settings.token_secret.get_secret_value()
                principal = VERIFIED.verify(secret, token, settings.token_issuer)
        except AuthError as exc:
            raise ApiProblem(
                401,
                exc.code,
                str(exc),
                field="header.Authorization",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from exc
        missing = [s for s in scopes if s not in principal.scopes]
        if missing:
            raise ApiProblem(
                403,
                "insufficient_scope",
                f"token lacks scope(s): {', '.join(missing)}",
                headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
            )
        request.state.principal = principal
        return principal

    return dependency
