"""The throwaway PostgreSQL server the tests and `chorus run --postgres` start."""

from __future__ import annotations

import asyncio
import socket
import tempfile
from pathlib import Path

import asyncpg
import pytest
from chorus_cli import pgserver

pytestmark = pytest.mark.integration


def test_server_starts_in_its_own_directory_answers_sql_and_stops() -> None:
    # Not tmp_path: pytest's 0700 base directory is closed to the server's own user under root.
    root = Path(tempfile.mkdtemp(prefix="chorus-pg-"))
    server = pgserver.start_postgres(root)
    try:

        async def query() -> int:
            conn = await asyncpg.connect(server.admin_dsn)
            try:
                await conn.execute("CREATE DATABASE probe")
                return int(
                    await conn.fetchval("SELECT count(*) FROM pg_database WHERE datname = 'probe'")
                )
            finally:
                await conn.close()

        assert asyncio.run(query()) == 1
        assert server.url("probe").endswith(f"127.0.0.1:{server.port}/probe")
    finally:
        server.stop()
        pgserver.remove(root)
    assert not root.exists()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", server.port), timeout=1):
        pass


@pytest.mark.unit
def test_missing_binaries_are_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PG_BINDIR", str(tmp_path))
    with pytest.raises(RuntimeError, match="PG_BINDIR"):
        pgserver.bindir()
