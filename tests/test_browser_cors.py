"""CORS on every service: preflights from the allowed origins are answered before any token,
limit or route; other origins are refused; every answer to an allowed origin, problems
included, carries the headers a browser needs to read it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from chorus_analytics.app import create_app as analytics_app
from chorus_analytics.settings import AnalyticsSettings
from chorus_common.bus.memory import MemoryBroker
from chorus_common.settings import CommonSettings
from chorus_common.settings_errors import ConfigError, load_settings
from chorus_ingest.app import create_app as ingest_app
from chorus_ingest.settings import IngestSettings
from chorus_responder.app import create_app as responder_app
from chorus_responder.settings import ResponderSettings
from chorus_router.app import create_app as router_app
from chorus_router.settings import RouterSettings
from fastapi import FastAPI

from tests.support.fixtures import FAST_KAFKA_ENV, auth
from tests.support.served import served

CONSOLE = "http://127.0.0.1:8080"
OTHER = "https://evil.example"
ORIGINS = f"{CONSOLE}, https://console.example.com"
LIMIT = 4096

Make = Callable[[str, MemoryBroker, dict[str, Any]], FastAPI]


def _ingest(url: str, bus: MemoryBroker, kw: dict[str, Any]) -> FastAPI:
    return ingest_app(
        IngestSettings(database_url=url, poller_enabled=False, **FAST_KAFKA_ENV, **kw), bus=bus
    )


def _router(url: str, bus: MemoryBroker, kw: dict[str, Any]) -> FastAPI:
    return router_app(RouterSettings(database_url=url, **FAST_KAFKA_ENV, **kw), bus=bus)


def _responder(url: str, bus: MemoryBroker, kw: dict[str, Any]) -> FastAPI:
    s = ResponderSettings(database_url=url, sender_enabled=False, **FAST_KAFKA_ENV, **kw)
    return responder_app(s, bus=bus)


def _analytics(url: str, bus: MemoryBroker, kw: dict[str, Any]) -> FastAPI:
    return analytics_app(AnalyticsSettings(database_url=url, **FAST_KAFKA_ENV, **kw), bus=bus)


# Each service, a GET that needs a token, and a route that reads a JSON body.
SERVICES: dict[str, tuple[Make, str, str]] = {
    "ingest": (_ingest, "/v1/channels", "/v1/posts"),
    "router": (_router, "/v1/rules", "/v1/teams"),
    "responder": (_responder, "/v1/policies", "/v1/policies"),
    "analytics": (_analytics, "/v1/reports/summary", "/v1/reports/summary"),
}


def _preflight(origin: str, method: str = "POST") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type, if-match, last-event-id",
    }


def _exposed(resp: httpx.Response) -> set[str]:
    raw = resp.headers.get("access-control-expose-headers", "")
    return {h.strip().lower() for h in raw.split(",") if h.strip()}


@pytest.mark.integration
@pytest.mark.timeout(90)
@pytest.mark.parametrize("service", list(SERVICES))
async def test_preflights_answered_without_token_or_limits_and_problems_readable(
    service: str, sqlite_url: str, memory_broker: MemoryBroker
) -> None:
    make, read_path, body_path = SERVICES[service]
    kw = {"cors_allow_origins": ORIGINS, "rate_limit_per_minute": 1, "max_body_bytes": LIMIT}
    app = make(sqlite_url, memory_broker, kw)
    async with served(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as c:
        # More preflights than the rate limit allows requests: none is counted.
        for _ in range(3):
            ok = await c.options(body_path, headers=_preflight(CONSOLE))
            assert ok.status_code == 200, ok.text
            assert ok.headers["access-control-allow-origin"] == CONSOLE
            allowed = ok.headers["access-control-allow-headers"].lower()
            assert {"authorization", "if-match", "last-event-id"} <= set(allowed.split(", "))
        refused = await c.options(body_path, headers=_preflight(OTHER))
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers
        # The first real request of this caller: a 401 problem the browser can read.
        anonymous = await c.get(read_path, headers={"Origin": CONSOLE})
        assert anonymous.status_code == 401
        assert anonymous.headers["access-control-allow-origin"] == CONSOLE
        assert "www-authenticate" in _exposed(anonymous)
        limited = await c.get(read_path, headers={"Origin": CONSOLE})
        assert limited.status_code == 429
        assert limited.headers["access-control-allow-origin"] == CONSOLE
        assert "retry-after" in _exposed(limited)
        assert limited.json()["code"] == "rate_limited"
        big = b'{"name": "' + b"x" * (LIMIT * 2) + b'"}'
        head = {**auth("admin"), "Origin": CONSOLE, "content-type": "application/json"}
        too_big = await c.post(body_path, content=big, headers=head)
        assert too_big.status_code == 413
        assert too_big.headers["access-control-allow-origin"] == CONSOLE
        foreign = await c.get(read_path, headers={"Origin": OTHER})
        assert "access-control-allow-origin" not in foreign.headers


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_etag_of_a_real_get_is_exposed_to_an_allowed_origin(
    sqlite_url: str, memory_broker: MemoryBroker
) -> None:
    app = _router(sqlite_url, memory_broker, {"cors_allow_origins": ORIGINS})
    async with served(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as c:
        resp = await c.get("/v1/rules", headers={**auth("admin"), "Origin": CONSOLE})
        assert resp.status_code == 200
        assert resp.headers["etag"].startswith('"')
        assert resp.headers["access-control-allow-origin"] == CONSOLE
        assert {"etag", "location", "retry-after"} <= _exposed(resp)
        assert "origin" in resp.headers["vary"].lower()


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_without_cors_allow_origins_no_cors_header_is_sent(
    sqlite_url: str, memory_broker: MemoryBroker
) -> None:
    app = _router(sqlite_url, memory_broker, {})
    async with served(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as c:
        resp = await c.get("/v1/rules", headers={**auth("admin"), "Origin": CONSOLE})
        assert resp.status_code == 200
        assert "access-control-allow-origin" not in resp.headers
        pre = await c.options("/v1/rules", headers=_preflight(CONSOLE, "GET"))
        assert "access-control-allow-origin" not in pre.headers


@pytest.mark.unit
@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("*", "wildcards are refused"),
        (f"{CONSOLE},*", "wildcards are refused"),
        ("https://*.example.com", "wildcards are refused"),
        ("https://console.example.com/app", "more than an origin"),
        ("console.example.com", "not an http(s) origin"),
        ("ftp://console.example.com", "not an http(s) origin"),
        ("http://127.0.0.1:99999", "not an origin"),
    ],
)
def test_a_cors_origin_that_is_not_exact_is_refused_at_start_up(
    value: str, why: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", value)
    with pytest.raises(ConfigError) as err:
        load_settings(CommonSettings)
    message = str(err.value)
    assert message.startswith("invalid setting CORS_ALLOW_ORIGINS") and why in message
    assert "\n" not in message


@pytest.mark.unit
def test_cors_origins_are_read_as_a_browser_sends_them() -> None:
    s = CommonSettings(cors_allow_origins=" https://Console.Example.com:443/, http://[::1]:3000,")
    assert s.cors_origins() == ("https://console.example.com", "http://[::1]:3000")
    assert CommonSettings().cors_origins() == ()


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_a_server_error_is_readable_cross_origin(
    sqlite_url: str, memory_broker: MemoryBroker
) -> None:
    app = _router(sqlite_url, memory_broker, {"cors_allow_origins": ORIGINS})

    async def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/v1/boom", boom)  # the error middleware answers outside every route
    async with served(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as c:
        resp = await c.get("/v1/boom", headers={"Origin": CONSOLE})
        assert resp.status_code == 500
        assert resp.json()["code"] == "internal_error"
        assert resp.headers["access-control-allow-origin"] == CONSOLE
