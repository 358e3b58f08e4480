"""`chorus run --postgres`: a server of its own under var/, the four databases, kept between runs."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import asyncpg
import pytest
from chorus_cli.main import build_parser
from chorus_cli.pg import ensure_databases, start_dev_postgres
from chorus_cli.pgserver import remove
from chorus_cli.procs import SERVICES

pytestmark = pytest.mark.integration


async def _databases(dsn: str) -> set[str]:
    conn = await asyncpg.connect(dsn)
    try:
        return {r["datname"] for r in await conn.fetch("SELECT datname FROM pg_database")}
    finally:
        await conn.close()


async def _create_table(url: str) -> None:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute("CREATE TABLE kept (id int)")
    finally:
        await conn.close()


async def _has_table(url: str) -> bool:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return bool(await conn.fetchval("SELECT to_regclass('kept') IS NOT NULL"))
    finally:
        await conn.close()


def test_the_flag_is_there() -> None:
    assert build_parser().parse_args(["run", "--postgres"]).postgres is True
    assert build_parser().parse_args(["run"]).postgres is False


def test_run_postgres_creates_one_database_per_service_and_keeps_them() -> None:
    # Not tmp_path: pytest's 0700 base directory is closed to the server's own user under root.
    var = Path(tempfile.mkdtemp(prefix="chorus-var-"))
    var.chmod(0o755)  # as `chorus run` makes var/: the server's user passes through it
    try:
        server = start_dev_postgres(var)
        try:
            urls = asyncio.run(ensure_databases(server, SERVICES))
            assert set(urls) == set(SERVICES)
            names = asyncio.run(_databases(server.admin_dsn))
            assert {f"chorus_{s}" for s in SERVICES} <= names
            asyncio.run(_create_table(urls["router"]))
        finally:
            server.stop()
        again = start_dev_postgres(var)  # the next `chorus run --postgres`
        try:
            urls = asyncio.run(ensure_databases(again, SERVICES))  # nothing to create
            assert asyncio.run(_has_table(urls["router"])), "the data survived the restart"
        finally:
            again.stop()
    finally:
        remove(var)
