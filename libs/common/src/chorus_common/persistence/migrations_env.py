"""The body of every service's Alembic ``env.py`` (each service passes its own metadata)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import MetaData


def run(target_metadata: MetaData, default_version_table: str) -> None:
    config = context.config
    connection: Any = config.attributes.get("connection")
    version_table = config.attributes.get("version_table", default_version_table)
    if connection is None:
        raise RuntimeError(
            "migrations run through chorus_common.persistence.db.upgrade (a live connection)"
        )
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=version_table,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
