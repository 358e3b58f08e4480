"""The rate limit is keyed on the verified token's subject, else the client address: the
spelling of the Authorization header and made-up tokens buy no fresh bucket, and the
buckets kept are bounded."""

from __future__ import annotations

import httpx
import pytest
from chorus_common.auth import create_token
from chorus_common.http import RateLimitMiddleware, install_http, token_subject
from chorus_common.metrics import Metrics
from chorus_common.settings import DEV_TOKEN_SECRET, CommonSettings
from fastapi import FastAPI

PER_MINUTE = 5


def _app(per_minute: int = PER_MINUTE) -> tuple[FastAPI, Metrics]:
    app = FastAPI()
    metrics = Metrics("test")
    install_http(
        app,
        metrics=metrics,
        max_body_bytes=1024,
        rate_per_minute=per_minute,
        identify=token_subject(CommonSettings(environment="test")),
    )

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"ok": "yes"}

    return app, metrics


def _client(app: FastAPI, address: str = "203.0.113.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def _token(sub: str, secret: str = DEV_TOKEN_SECRET) -> str:
    return create_token(secret, sub=sub, role="agent")


async def _statuses(client: httpx.AsyncClient, headers: list[dict[str, str]]) -> list[int]:
    return [(await client.get("/ping", headers=h)).status_code for h in headers]


@pytest.mark.unit
async def test_the_spelling_of_the_authorization_header_buys_no_fresh_bucket() -> None:
    app, metrics = _app()
    token = _token("alice")
    spellings = [f"Bearer {token}", f"bearer {token}", f"BEARER  {token}", f" Bearer {token} "]
    headers = [{"Authorization": spellings[i % len(spellings)]} for i in range(PER_MINUTE + 2)]
    async with _client(app) as client:
        statuses = await _statuses(client, headers)
    assert statuses == [200] * PER_MINUTE + [429, 429]
    assert (
        metrics.registry.get_sample_value("chorus_http_rate_limited_total", {"service": "test"})
        == 2
    )


@pytest.mark.unit
async def test_made_up_tokens_share_the_address_bucket_with_unauthenticated_requests() -> None:
    app, _ = _app()
    forged = [{"Authorization": f"Bearer made-up-{i}"} for i in range(3)]
    other_secret = [{"Authorization": f"Bearer {_token('alice', 'x' * 40)}"}]
    headers = [*forged, *other_secret, {}, {"Authorization": "Basic abc"}, {}]
    async with _client(app) as client:
        statuses = await _statuses(client, headers)
        # another address is another bucket; a verified caller has its own
        other = await _statuses(_client(app, "198.51.100.9"), [{}])
        alice = await _statuses(client, [{"Authorization": f"Bearer {_token('alice')}"}])
    assert statuses == [200] * PER_MINUTE + [429, 429]
    assert other == [200] and alice == [200]


@pytest.mark.unit
async def test_each_verified_subject_has_its_own_bucket_whatever_its_token() -> None:
    app, _ = _app()
    async with _client(app) as client:
        bob = await _statuses(
            client, [{"Authorization": f"Bearer {_token('bob')}"} for _ in range(PER_MINUTE + 1)]
        )
        carol = await _statuses(client, [{"Authorization": f"Bearer {_token('carol')}"}])
    assert bob == [200] * PER_MINUTE + [429], "new tokens of one subject share its bucket"
    assert carol == [200]


@pytest.mark.unit
async def test_the_buckets_kept_are_bounded() -> None:
    limiter = RateLimitMiddleware(
        _app()[0], per_minute=60, metrics=Metrics("test"), identify=lambda t: t, max_callers=50
    )
    for i in range(5000):
        scope = {
            "type": "http",
            "path": "/x",
            "headers": [(b"authorization", f"Bearer s{i}".encode())],
        }
        limiter.buckets.take(limiter._key(scope))
    assert len(limiter.buckets) <= 50
