"""Autogenerate an Alembic revision for one service: `python scripts/makemigration.py router "msg"`.

Upgrades a scratch SQLite database to head, then diffs the service's models against it.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
import tempfile
from pathlib import Path

from alembic import command
from chorus_common.persistence import db
from sqlalchemy import create_engine


def main() -> None:
    service, message = sys.argv[1], sys.argv[2]
    app = importlib.import_module(f"chorus_{service}.app")
    migrations: Path = app.MIGRATIONS
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/scratch.db"
        engine = db.make_engine(url)
        asyncio.run(db.upgrade(engine, migrations, f"alembic_version_{service}"))
        cfg = db.alembic_config(migrations, f"alembic_version_{service}")
        sync = create_engine(f"sqlite:///{tmp}/scratch.db")
        with sync.begin() as conn:
            cfg.attributes["connection"] = conn
            versions = sorted((migrations / "versions").glob("*.py"))
            rev_id = f"{len(versions) + 1:04d}"
            command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id)


if __name__ == "__main__":
    main()
