"""HTTP plumbing shared by every service: limits, metrics, error shape, health and metrics routes."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence

from cachetools import TTLCache
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chorus_common.auth import VERIFIED, AuthError
from chorus_common.metrics import Metrics
from chorus_common.oidc import OidcVerifier
from chorus_common.problems import install_problem_handlers, problem_response
from chorus_common.settings import CommonSettings

ReadyCheck = Callable[[], Awaitable[dict[str, bool]]]


class BodyLimitMiddleware:
    """Refuse bodies over ``max_bytes`` with 413 before the app sees them, whether announced
    (``Content-Length``) or streamed (chunked): a streamed body is read, up to the limit,
    before the app runs, so no route's body parsing can turn the refusal into another error."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                # The server holds the body to its announced length.
                if value.isdigit() and int(value) > self.max_bytes:
                    await self._refuse(scope, receive, send)
                else:
                    await self.app(scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            msg = await receive()
            if msg["type"] != "http.request":
                return  # the client went away before its body ended
            chunk = msg.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not msg.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        resp = problem_response(
            413, "body_too_large", f"request body exceeds {self.max_bytes} bytes"
        )
        await resp(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` whole once, then the client's own messages."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class RateLimitMiddleware:
    """Token bucket per caller: the verified token's subject, else the client address (no
    token, or one that does not verify); 429 + Retry-After. Buckets live in a TTL cache: an
    idle bucket refills in a minute, so it is dropped then, and at most ``max_callers`` are
    kept (least recently used first out)."""

    EXEMPT = ("/healthz", "/readyz", "/metrics")

    def __init__(
        self,
        app: ASGIApp,
        per_minute: int,
        metrics: Metrics,
        identify: Callable[[str], str | None],
        max_callers: int = 100_000,
    ) -> None:
        self.app = app
        self.capacity = float(max(per_minute, 1))
        self.rate = self.capacity / 60.0
        self.metrics = metrics
        self.identify = identify
        self.buckets: TTLCache[str, tuple[float, float]] = TTLCache(
            maxsize=max_callers, ttl=self.capacity / self.rate, timer=time.monotonic
        )

    def _key(self, scope: Scope) -> str:
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").strip().partition(" ")
                if scheme.lower() == "bearer" and token.strip():
                    subject = self.identify(token.strip())
                    if subject is not None:
                        return f"sub:{subject}"
                break
        client = scope.get("client")
        return f"ip:{client[0] if client else 'unknown'}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.EXEMPT:
            await self.app(scope, receive, send)
            return
        key = self._key(scope)
        now = time.monotonic()
        tokens, last = self.buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens < 1.0:
            self.buckets[key] = (tokens, now)
            self.metrics.rate_limited.labels(self.metrics.service).inc()
            retry = max(1, int((1.0 - tokens) / self.rate) + 1)
            resp = problem_response(
                429, "rate_limited", "too many requests", headers={"Retry-After": str(retry)}
            )
            await resp(scope, receive, send)
            return
        self.buckets[key] = (tokens - 1.0, now)
        await self.app(scope, receive, send)


def token_subject(
    settings: CommonSettings, oidc: OidcVerifier | None = None
) -> Callable[[str], str | None]:
    """The subject of a bearer token that verifies under ``settings``' secret, or of an OpenID
    provider's token ``oidc`` already verified; else None."""
    secret = settings.token_secret.get_secret_value()

    def subject(token: str) -> str | None:
        try:
            return VERIFIED.verify(secret, token, settings.token_issuer).sub
        except AuthError:
            known = oidc.known_subject(token) if oidc is not None else None
            return f"oidc:{known}" if known is not None else None

    return subject


class MetricsMiddleware:
    """Request count, errors and duration per route template (bounded label set)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_code = 500

        async def send_wrapper(msg: Message) -> None:
            nonlocal status_code
            if msg["type"] == "http.response.start":
                status_code = msg["status"]
            await send(msg)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            svc = self.metrics.service
            self.metrics.http_requests.labels(svc, path, method, str(status_code)).inc()
            self.metrics.http_duration.labels(svc, path, method).observe(
                time.perf_counter() - started
            )


# What a browser may send and read cross-origin beyond the CORS-safelisted headers.
CORS_REQUEST_HEADERS = (
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "Last-Event-ID",
)
CORS_RESPONSE_HEADERS = ("ETag", "Location", "Retry-After", "WWW-Authenticate")
CORS_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
CORS_MAX_AGE = 600


def install_http(
    app: FastAPI,
    *,
    metrics: Metrics,
    max_body_bytes: int,
    rate_per_minute: int,
    identify: Callable[[str], str | None],
    cors_origins: Sequence[str] = (),
) -> None:
    """Middleware (outermost first: CORS, metrics, body limit, rate limit) and the problem
    answers; ``identify`` gives the subject of a bearer token that verifies (the rate
    limit's key). CORS is off when ``cors_origins`` is empty."""
    app.add_middleware(
        RateLimitMiddleware, per_minute=rate_per_minute, metrics=metrics, identify=identify
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    install_problem_handlers(app)
    if cors_origins:
        install_cors(app, cors_origins)


def install_cors(app: FastAPI, origins: Sequence[str]) -> None:
    """CORS around the whole stack, Starlette's error middleware included: preflights are
    answered before any limit or token check, and every answer to an allowed origin (a 401,
    413, 429 or 500 problem too) carries the headers a browser needs to read it."""
    build = app.build_middleware_stack

    def build_with_cors() -> ASGIApp:
        return CORSMiddleware(
            build(),
            allow_origins=list(origins),
            allow_methods=list(CORS_METHODS),
            allow_headers=list(CORS_REQUEST_HEADERS),
            expose_headers=list(CORS_RESPONSE_HEADERS),
            max_age=CORS_MAX_AGE,
        )

    app.build_middleware_stack = build_with_cors  # type: ignore[method-assign]


class HealthRead(BaseModel):
    status: str


class ReadinessRead(BaseModel):
    status: str
    checks: dict[str, bool]


def ops_router(metrics: Metrics, ready: ReadyCheck) -> APIRouter:
    """`/healthz` (process up), `/readyz` (broker and database reachable), `/metrics`."""
    router = APIRouter(tags=["ops"])

    @router.get("/healthz", response_model=HealthRead)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        response_model=ReadinessRead,
        responses={503: {"model": ReadinessRead, "description": "a dependency is unreachable"}},
    )
    async def readyz() -> JSONResponse:
        checks = await ready()
        ok = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ok else "not_ready", "checks": checks},
            status_code=200 if ok else 503,
        )

    @router.get(
        "/metrics",
        response_class=Response,
        responses={
            200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}}
        },
    )
    async def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router
