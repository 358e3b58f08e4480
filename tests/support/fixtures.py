"""Shared pytest fixtures: real brokers (Tansu, or Apache Kafka under ``make test-kafka``), real
databases (SQLite and PostgreSQL), apps; and which tests each broker runs."""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from chorus_cli.pgserver import remove, start_postgres
from chorus_common.auth import create_token
from chorus_common.messaging.bus.base import Producer
from chorus_common.messaging.bus.memory import MemoryBroker
from chorus_common.runtime import KafkaBus
from chorus_common.settings import DEV_TOKEN_SECRET, CommonSettings
from fastapi import FastAPI

from tests.support.brokers import SESSION, chorus_broker, on_kafka

# Settings every test app gets: fast group joins and low fetch latency on Tansu.
FAST_KAFKA_ENV: dict[str, Any] = {
    "kafka_session_timeout_ms": 6000,
    "kafka_heartbeat_interval_ms": 500,
    "kafka_fetch_max_wait_ms": 20,
    "outbox_poll_seconds": 0.2,
    "environment": "test",
    "log_json": True,
}


@pytest.fixture
def memory_broker() -> MemoryBroker:
    return MemoryBroker(partitions=4)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[str]:
    """A broker with only the Chorus topics (4 partitions) on it; yields the bootstrap: a
    fresh Tansu, or the session's Apache Kafka reset under ``CHORUS_TEST_BROKER=kafka``."""
    with chorus_broker(tmp_path) as bootstrap:
        yield bootstrap


@pytest.fixture(scope="session", autouse=True)
def _kafka_session() -> Iterator[None]:
    """Stop the Apache Kafka nodes a test session started (none under Tansu)."""
    yield
    SESSION.close()


def _broker_facing(item: pytest.Item) -> bool:
    """A test that talks to a broker: it takes the ``broker`` fixture or starts a ``system``."""
    from tests.support import system as system_module  # it imports this module

    module = getattr(item, "module", None)
    return "broker" in getattr(item, "fixturenames", ()) or (
        getattr(module, "system", None) is system_module.system
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tansu (``make test``) leaves out the tests marked ``kafka`` or ``interop``; Apache Kafka
    (``make test-kafka``) runs those and the broker-facing tests not marked ``tansu``."""
    if on_kafka():
        keep = [
            it
            for it in items
            if it.get_closest_marker("kafka")
            or it.get_closest_marker("interop")
            or (_broker_facing(it) and not it.get_closest_marker("tansu"))
        ]
    else:
        keep = [
            it
            for it in items
            if not it.get_closest_marker("kafka") and not it.get_closest_marker("interop")
        ]
    if len(keep) != len(items):
        kept = set(map(id, keep))
        config.hook.pytest_deselected(items=[it for it in items if id(it) not in kept])
        items[:] = keep


@pytest.fixture(scope="session")
def pg_admin_dsn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An admin DSN: ``CHORUS_TEST_PG`` when set, else a server this test session starts."""
    configured = os.environ.get("CHORUS_TEST_PG")
    if configured:
        yield configured
        return
    root = Path(tempfile.mkdtemp(prefix="chorus-pg-"))
    server = start_postgres(root)
    try:
        yield server.admin_dsn
    finally:
        server.stop()
        remove(root)


async def _pg_exec(dsn: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
def pg_url(pg_admin_dsn: str) -> Iterator[str]:
    """A fresh PostgreSQL database on the session's server (dropped afterwards)."""
    name = f"chorus_t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_exec(pg_admin_dsn, f'CREATE DATABASE "{name}"'))
    try:
        yield database_url(pg_admin_dsn, name)
    finally:
        asyncio.run(_pg_exec(pg_admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def database_url(admin_dsn: str, name: str) -> str:
    """The SQLAlchemy (asyncpg) URL of database ``name`` on the server ``admin_dsn`` names."""
    parts = urlsplit(admin_dsn)
    return urlunsplit(("postgresql+asyncpg", parts.netloc, f"/{name}", parts.query, ""))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/test.db"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/test.db"


def token(
    role: str = "admin",
    *,
    member_id: str | None = None,
    teams: tuple[str, ...] = (),
    scopes: Any = None,
) -> str:
    return create_token(
        DEV_TOKEN_SECRET,
        sub=member_id or f"test-{role}",
        role=role,
        member_id=member_id,
        teams=teams,
        scopes=scopes,
    )


def auth(role: str = "admin", **kw: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, **kw)}"}


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run ``app``'s lifespan and yield an HTTP client bound to it (no network)."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@asynccontextmanager
async def producing(settings: CommonSettings) -> AsyncIterator[Producer]:
    """A producer on ``settings``' broker, started, and stopped after the block."""
    producer = KafkaBus(settings).producer()
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()
