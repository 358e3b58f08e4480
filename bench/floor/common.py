"""What both floor processes share: settings from the environment, the engine, the producer."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaProducer
from chorus_common.persistence.db import (
    SQLITE_BACKSTOP_PAGES,
    WalCheckpointer,
    make_engine,
    sqlite_file,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

POSTS = "chorus.posts.v1"
CASES = "chorus.cases.v1"


# Chorus's own steps a floor run may add back, one rung at a time (``FLOOR_STEPS``):
# ingest ``post`` (the generic connector's canonical Post and ingest's post.received
# envelope), ``enrich`` (language and signals); router ``decode`` (Envelope.from_bytes and
# the typed payload), ``route`` (rules, assignment and the decision record, seed directory).
STEPS = ("post", "enrich", "decode", "route")


def steps() -> frozenset[str]:
    """The steps of ``FLOOR_STEPS``; an unknown name is refused, not ignored."""
    wanted = frozenset(x for x in os.environ.get("FLOOR_STEPS", "").split(",") if x)
    unknown = wanted - set(STEPS)
    if unknown:
        raise ValueError(f"FLOOR_STEPS: unknown step(s) {sorted(unknown)}; known: {STEPS}")
    if "enrich" in wanted and "post" not in wanted:
        raise ValueError("FLOOR_STEPS: enrich needs post")
    if "route" in wanted and "decode" not in wanted:
        raise ValueError("FLOOR_STEPS: route needs decode")
    return wanted


def bootstrap() -> str:
    return os.environ["KAFKA_BOOTSTRAP_SERVERS"]


@asynccontextmanager
async def database(schema: str) -> AsyncIterator[AsyncEngine]:
    """The services' SQLite set-up (aiosqlite, WAL checkpointed from a thread) with
    ``schema`` created; disposed at the end."""
    url = os.environ["DATABASE_URL"]
    engine = make_engine(url, wal_autocheckpoint=SQLITE_BACKSTOP_PAGES)
    path = sqlite_file(url)
    checkpointer = WalCheckpointer(path).start() if path else None
    try:
        async with engine.begin() as conn:
            await conn.execute(text(schema))
        yield engine
    finally:
        if checkpointer is not None:
            checkpointer.stop()
        await engine.dispose()


def producer() -> AIOKafkaProducer:
    """The services' producer defaults on the embedded broker (acks=all, linger 0)."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap(),
        acks="all",
        linger_ms=0,
        max_batch_size=524288,
        enable_idempotence=False,
    )


def port() -> int:
    return int(os.environ["PORT"])


def serve(app: Any) -> None:
    """uvicorn as the services run it, pinned as they are (``CPU_AFFINITY``)."""
    import uvicorn
    from chorus_common.priority import pin_cpus

    pin_cpus(os.environ.get("CPU_AFFINITY", ""))

    uvicorn.run(app, host="127.0.0.1", port=port(), loop="uvloop", http="httptools",
                log_level="warning", access_log=False)  # fmt: skip
