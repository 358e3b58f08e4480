"""Operations commands: `chorus migrate` and `chorus topics` (used by deploy jobs).

Both read the same settings as the services and wait for their dependency the same way:
up to DEPENDENCY_WAIT_SECONDS with back-off, then one line and a non-zero exit.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
from pathlib import Path
from typing import Any

from chorus_common.dependencies import check_database, database_refusal, wait_for_dependency
from chorus_common.persistence import db
from chorus_common.settings import CommonSettings
from chorus_common.settings_errors import load_settings

from chorus_cli.provisioning import provision_topics

SERVICE_NAMES = ("ingest", "router", "responder", "analytics")


def register(sub: Any) -> None:
    m: argparse.ArgumentParser = sub.add_parser(
        "migrate", help="upgrade one service's tables to head (DATABASE_URL) and exit"
    )
    m.add_argument("--service", choices=SERVICE_NAMES, required=True)
    m.set_defaults(func=migrate)
    t: argparse.ArgumentParser = sub.add_parser(
        "topics", help="create the Chorus topics (idempotent) on KAFKA_BOOTSTRAP_SERVERS"
    )
    t.set_defaults(func=topics)


def migrate(args: argparse.Namespace) -> int:
    settings = load_settings(CommonSettings, service_name=args.service)
    migrations: Path = importlib.import_module(f"chorus_{args.service}.app").MIGRATIONS
    url = settings.effective_database_url()

    async def _go() -> None:
        engine = db.make_engine(url)
        try:
            await wait_for_dependency(
                "DATABASE_URL",
                "database",
                lambda: db.upgrade(engine, migrations, f"alembic_version_{args.service}"),
                bound_s=settings.dependency_wait_seconds,
                check=lambda: check_database(url),
                permanent=database_refusal(url),
            )
        finally:
            await engine.dispose()

    asyncio.run(_go())
    print(f"{args.service}: migrated")
    return 0


def topics(args: argparse.Namespace) -> int:
    settings = load_settings(CommonSettings)
    created = asyncio.run(
        provision_topics(
            settings.kafka_bootstrap_servers,
            partitions=settings.topic_partitions,
            replication_factor=settings.topic_replication_factor,
            timeout_s=settings.dependency_wait_seconds,
        )
    )
    print(f"topics created: {', '.join(created) or 'none (all existed)'}")
    return 0
