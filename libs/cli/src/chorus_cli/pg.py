"""`chorus run --postgres`: a PostgreSQL server of its own under var/, one database per service.

The server (chorus_cli.pgserver) keeps its data in ``var/postgres`` between runs and
listens on a free port of 127.0.0.1 while `chorus run` lives; the four databases
(``chorus_<service>``) are created when missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import asyncpg

from chorus_cli.pgserver import PgServer, start_postgres


def database_name(service: str) -> str:
    return f"chorus_{service}"


async def ensure_databases(server: PgServer, services: Iterable[str]) -> dict[str, str]:
    """Create each service's database when missing; its SQLAlchemy URL per service."""
    conn = await asyncpg.connect(server.admin_dsn)
    try:
        existing = {r["datname"] for r in await conn.fetch("SELECT datname FROM pg_database")}
        for service in services:
            if database_name(service) not in existing:
                await conn.execute(f'CREATE DATABASE "{database_name(service)}"')
    finally:
        await conn.close()
    return {s: server.url(database_name(s)) for s in services}


def start_dev_postgres(var: Path) -> PgServer:
    """Start (initialising on first use) the server whose data lives in ``var/postgres``."""
    return start_postgres(var / "postgres")
