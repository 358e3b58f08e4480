"""Every service's migrations build exactly the schema its models describe (tables, columns,
types, indexes), on SQLite and on PostgreSQL: a model change without its migration fails here."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from chorus_common.persistence.db import make_engine, upgrade
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

SERVICES = ("ingest", "router", "responder", "analytics")


def _service(name: str) -> tuple[MetaData, Path]:
    models = importlib.import_module(f"chorus_{name}.models")
    app = importlib.import_module(f"chorus_{name}.app")
    return models.metadata, app.MIGRATIONS


def _ignored(diff: Any) -> bool:
    # Alembic's own version table is not part of the models.
    return diff[0] == "remove_table" and diff[1].name.startswith("alembic_version")


@pytest.mark.integration
@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_build_the_schema_of_the_models(service: str, db_url: str) -> None:
    metadata, migrations = _service(service)
    engine = make_engine(db_url)
    try:
        await upgrade(engine, migrations, f"alembic_version_{service}")

        def _diff(conn: Connection) -> list[Any]:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return [d for d in compare_metadata(ctx, metadata) if not _ignored(d)]

        async with engine.connect() as conn:
            diffs = await conn.run_sync(_diff)
    finally:
        await engine.dispose()
    assert diffs == [], f"{service}: models and migrations differ: {diffs}"
