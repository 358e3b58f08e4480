"""Shared pytest fixtures: real Tansu brokers, real databases (SQLite and PostgreSQL), apps."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from chorus_common.auth import create_token
from chorus_common.bus.memory import MemoryBroker
from chorus_common.embedded import free_port, start_broker, stop_process
from chorus_common.provisioning import provision_topics
from chorus_common.settings import DEV_TOKEN_SECRET
from fastapi import FastAPI

PG_ADMIN_DSN = os.environ.get("CHORUS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")

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
    """A fresh Tansu broker on a free port with the Chorus topics provisioned; yields bootstrap."""
    port = free_port()
    proc = start_broker(port, tmp_path / "tansu.log")
    bootstrap = f"127.0.0.1:{port}"
    asyncio.run(provision_topics(bootstrap, partitions=4))
    try:
        yield bootstrap
    finally:
        stop_process(proc)


def _pg_available() -> bool:
    try:
        subprocess.run(
            ["pg_isready", "-h", "127.0.0.1", "-p", "5432"],
            check=True,
            capture_output=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return True


async def _pg_exec(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database (dropped afterwards); fails loudly if PostgreSQL is down."""
    assert _pg_available(), "PostgreSQL must run on 127.0.0.1:5432 (.ci/run starts it)"
    name = f"chorus_t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_exec(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        asyncio.run(_pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


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
