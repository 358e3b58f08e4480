"""Every service answers 413 to a body over MAX_BODY_BYTES, announced or streamed (chunked),
before any route parses it; a streamed body within the limit reaches the route whole."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
import pytest
from chorus_analytics.app import create_app as analytics_app
from chorus_analytics.settings import AnalyticsSettings
from chorus_common.messaging.bus.memory import MemoryBroker
from chorus_ingest.app import create_app as ingest_app
from chorus_ingest.settings import IngestSettings
from chorus_responder.app import create_app as responder_app
from chorus_responder.settings import ResponderSettings
from chorus_router.app import create_app as router_app
from chorus_router.settings import RouterSettings
from fastapi import FastAPI

from tests.support.fixtures import FAST_KAFKA_ENV, auth, running

LIMIT = 4096


def _ingest(url: str, bus: MemoryBroker) -> FastAPI:
    s = IngestSettings(
        database_url=url, poller_enabled=False, max_body_bytes=LIMIT, **FAST_KAFKA_ENV
    )
    return ingest_app(s, bus=bus)


def _router(url: str, bus: MemoryBroker) -> FastAPI:
    return router_app(
        RouterSettings(database_url=url, max_body_bytes=LIMIT, **FAST_KAFKA_ENV), bus=bus
    )


def _responder(url: str, bus: MemoryBroker) -> FastAPI:
    s = ResponderSettings(
        database_url=url, sender_enabled=False, max_body_bytes=LIMIT, **FAST_KAFKA_ENV
    )
    return responder_app(s, bus=bus)


def _analytics(url: str, bus: MemoryBroker) -> FastAPI:
    s = AnalyticsSettings(database_url=url, max_body_bytes=LIMIT, **FAST_KAFKA_ENV)
    return analytics_app(s, bus=bus)


# A route of each service that reads a JSON body (analytics reads none: a GET with a body).
SERVICES: dict[str, tuple[Callable[[str, MemoryBroker], FastAPI], str]] = {
    "ingest": (_ingest, "/v1/posts"),
    "router": (_router, "/v1/teams"),
    "responder": (_responder, "/v1/policies"),
    "analytics": (_analytics, "/v1/reports/summary"),
}


async def _chunks(body: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for i in range(0, len(body), size):
        yield body[i : i + size]


def _json(doc: Any) -> bytes:
    return orjson.dumps(doc)


@pytest.mark.unit
@pytest.mark.timeout(60)
@pytest.mark.parametrize("service", list(SERVICES))
async def test_a_body_over_the_limit_gets_413_announced_or_chunked(
    service: str, sqlite_url: str, memory_broker: MemoryBroker
) -> None:
    make, path = SERVICES[service]
    big = _json({"name": "x" * (LIMIT * 2)})
    async with running(make(sqlite_url, memory_broker)) as client:
        headers = {**auth("admin"), "content-type": "application/json"}
        announced = await client.post(path, content=big, headers=headers)
        streamed = await client.post(path, content=_chunks(big), headers=headers)
        unsigned = await client.post(path, content=_chunks(big))
    for r in (announced, streamed, unsigned):
        assert r.status_code == 413, (service, r.status_code, r.text)
        assert r.json()["code"] == "body_too_large"


@pytest.mark.unit
@pytest.mark.timeout(60)
async def test_a_chunked_body_within_the_limit_reaches_the_route_whole(
    sqlite_url: str, memory_broker: MemoryBroker
) -> None:
    team = {"id": "chunked", "name": "Chunked team"}
    async with running(_router(sqlite_url, memory_broker)) as client:
        headers = {**auth("admin"), "content-type": "application/json"}
        r = await client.post("/v1/teams", content=_chunks(_json(team), size=7), headers=headers)
        assert r.status_code == 201, r.text
        assert r.json()["name"] == "Chunked team"


@pytest.mark.unit
def test_one_body_limit_with_only_ingest_raising_it() -> None:
    """The README's limits: 1 MiB everywhere but ingest, whose batches and e-mails need 8 MiB."""
    env: dict[str, Any] = {"environment": "test"}
    limits = {
        "router": RouterSettings(**env).max_body_bytes,
        "responder": ResponderSettings(**env).max_body_bytes,
        "analytics": AnalyticsSettings(**env).max_body_bytes,
        "ingest": IngestSettings(**env).max_body_bytes,
    }
    assert limits == {
        "router": 1 << 20,
        "responder": 1 << 20,
        "analytics": 1 << 20,
        "ingest": 8 << 20,
    }
