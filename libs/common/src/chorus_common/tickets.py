"""Stream tickets: how a browser opens ``GET /v1/stream``, which it cannot send a header to.

``POST /v1/stream/tickets`` (with the bearer token) answers a ticket: a JWT signed with a key
derived from ``TOKEN_SECRET``, audience ``stream``, naming the service and carrying the
caller's principal, valid for 30 s. ``GET /v1/stream?ticket=…`` runs with exactly that
principal. Every instance of a service verifies any instance's ticket (same secret); each
instance refuses a ticket it has already redeemed, so a ticket that leaks from a URL is
worth at most one stream per instance, within its 30 s. The long-lived token never goes
in a URL.
"""

# No "from __future__ import annotations": the routes below annotate with closure variables.

import hashlib
import hmac
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import jwt
from cachetools import TTLCache
from fastapi import APIRouter, Depends, Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field, ValidationError

from chorus_common.auth import Principal, require
from chorus_common.openapi import BEARER, problem
from chorus_common.problems import ApiProblem
from chorus_common.settings import CommonSettings

TICKET_TTL_SECONDS = 30
AUDIENCE = "stream"
TICKET_FIELD = "query.ticket"
# Instances' clocks may differ a little: a ticket issued by one is accepted by another.
CLOCK_LEEWAY_SECONDS = 5
# Redeemed tickets an instance remembers (each for a ticket's lifetime); beyond this many
# within 30 s the oldest are forgotten first.
MAX_REDEEMED = 100_000


class TicketRead(BaseModel):
    ticket: str = Field(description="pass as `?ticket=` to `GET /v1/stream`, once")
    expires_at: datetime = Field(description="the ticket is refused after this instant")


class TicketError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def ticket_key(secret: str) -> bytes:
    """The tickets' own key: a ticket never verifies as a bearer token, nor the reverse."""
    return hmac.new(secret.encode(), b"chorus stream ticket", hashlib.sha256).digest()


class StreamTickets:
    """Issues and redeems the stream tickets of one service instance."""

    def __init__(
        self, secret: str, *, service: str, issuer: str, ttl: float = TICKET_TTL_SECONDS
    ) -> None:
        self._key = ticket_key(secret)
        self.service = service
        self.issuer = issuer
        self.ttl = ttl
        self._redeemed: TTLCache[str, bool] = TTLCache(
            MAX_REDEEMED, ttl=ttl + CLOCK_LEEWAY_SECONDS, timer=time.time
        )

    @classmethod
    def from_settings(cls, settings: CommonSettings) -> "StreamTickets":
        return cls(
            settings.token_secret.get_secret_value(),
            service=settings.service_name,
            issuer=settings.token_issuer,
        )

    def issue(self, principal: Principal, *, now: float | None = None) -> TicketRead:
        """A ticket for ``principal`` (``now`` in epoch seconds: tests date one in the past)."""
        issued = time.time() if now is None else now
        expires = int(issued + self.ttl)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "svc": self.service,
            "jti": uuid.uuid4().hex,
            "iat": int(issued),
            "exp": expires,
            "sub": principal.sub,
            # Whole, so that the stream runs as exactly who asked, whatever a principal holds.
            "principal": principal.model_dump(mode="json"),
        }
        return TicketRead(
            ticket=jwt.encode(claims, self._key, algorithm="HS256"),
            expires_at=datetime.fromtimestamp(expires, UTC),
        )

    def redeem(self, ticket: str) -> Principal:
        """The principal a ticket was issued to; TicketError when it is not a valid,
        unexpired ticket of this service, or was redeemed here before."""
        try:
            claims = jwt.decode(
                ticket,
                self._key,
                algorithms=["HS256"],
                audience=AUDIENCE,
                issuer=self.issuer,
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "sub", "jti", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TicketError(
                "ticket_expired", "the ticket has expired; ask for a new one"
            ) from exc
        except jwt.InvalidTokenError as exc:
            raise TicketError("ticket_invalid", "not a stream ticket") from exc
        if claims.get("svc") != self.service:
            raise TicketError("ticket_invalid", "not a stream ticket of this service")
        try:
            principal = Principal.model_validate(claims.get("principal"))
        except ValidationError as exc:
            raise TicketError("ticket_invalid", "not a stream ticket") from exc
        jti = str(claims["jti"])
        if jti in self._redeemed:
            raise TicketError("ticket_used", "the ticket was used already; ask for a new one")
        self._redeemed[jti] = True
        return principal


def tickets_of(request: Request) -> StreamTickets:
    tickets: StreamTickets = request.app.state.stream_tickets
    return tickets


# The 401 codes of a stream, which takes a ticket or a bearer token.
STREAM_PROBLEMS = problem(
    401,
    "missing_token",
    "token_invalid",
    "token_expired",
    "ticket_invalid",
    "ticket_expired",
    "ticket_used",
)


def ticket_router(scope: str, *, prefix: str = "/v1", tags: list[str] | None = None) -> APIRouter:
    """``POST /v1/stream/tickets``: a ticket for the caller, who needs the stream's ``scope``."""
    router = APIRouter(prefix=prefix, tags=list(tags or ["stream"]))
    caller = require(scope)

    @router.post(
        "/stream/tickets",
        status_code=201,
        response_model=TicketRead,
        responses=problem(403, "insufficient_scope"),
    )
    async def create_ticket(
        request: Request, principal: Annotated[Principal, Depends(caller)]
    ) -> TicketRead:
        """A single-use ticket, valid 30 s, that opens `GET /v1/stream?ticket=…` as you
        (for a browser's EventSource, which cannot send the Authorization header)."""
        return tickets_of(request).issue(principal)

    return router


def stream_caller(scope: str) -> Callable[..., Awaitable[Principal]]:
    """FastAPI dependency of a stream: a ``ticket`` query parameter, else the bearer token."""
    bearer = require(scope)

    async def dependency(
        request: Request,
        ticket: Annotated[
            str | None,
            Query(
                description="a ticket from `POST /v1/stream/tickets`, instead of the "
                "Authorization header (single-use, 30 s)",
                max_length=4096,
            ),
        ] = None,
        credentials: HTTPAuthorizationCredentials | None = Security(BEARER),
    ) -> Principal:
        if ticket is None:
            return await bearer(request, credentials)
        try:
            principal = tickets_of(request).redeem(ticket)
        except TicketError as exc:
            raise ApiProblem(401, exc.code, str(exc), field=TICKET_FIELD) from exc
        if scope not in principal.scopes:
            raise ApiProblem(403, "insufficient_scope", f"token lacks scope(s): {scope}")
        request.state.principal = principal
        return principal

    return dependency
