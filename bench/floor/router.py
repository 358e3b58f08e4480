"""The floor's router: posts read in batches, one case row each in one transaction, then
``case.assigned`` produced and the offsets committed.

Run as ``python -m bench.floor.router`` (PORT, KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.floor.common import CASES, POSTS, bootstrap, database, producer, serve

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cases (thread_id TEXT PRIMARY KEY, post_id TEXT, opened_at TEXT)"
)
_CASE = text(
    "INSERT OR IGNORE INTO cases (thread_id, post_id, opened_at)"
    " VALUES (:thread_id, :post_id, :opened_at)"
)


async def route(consumer: AIOKafkaConsumer, engine: AsyncEngine, out: AIOKafkaProducer) -> None:
    """The consumer loop: the settings of the real router's posts consumer."""
    while True:
        batch = await consumer.getmany(timeout_ms=1000, max_records=100)
        posts = [orjson.loads(m.value)["payload"]["post"] for msgs in batch.values() for m in msgs]
        if not posts:
            continue
        now = datetime.now(UTC).isoformat()
        rows = [{"thread_id": p["thread_id"], "post_id": p["id"], "opened_at": now} for p in posts]
        async with engine.begin() as conn:
            await conn.execute(_CASE, rows)
        sent = [
            await out.send(
                CASES,
                orjson.dumps(
                    {
                        "type": "case.assigned",
                        "occurred_at": now,
                        "payload": {
                            "status": "assigned",
                            "post_ids": [p["id"]],
                            "post_received_at": p["received_at"],
                        },
                    }
                ),
                key=p["thread_id"].encode(),
            )
            for p in posts
        ]
        await asyncio.gather(*sent)
        await consumer.commit()


def create_app() -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        out = producer()
        consumer = AIOKafkaConsumer(
            POSTS,
            bootstrap_servers=bootstrap(),
            group_id="floor-router",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            fetch_max_wait_ms=20,
            session_timeout_ms=6000,
            heartbeat_interval_ms=500,
        )
        async with database(_SCHEMA) as engine:
            await out.start()
            await consumer.start()
            task = asyncio.create_task(route(consumer, engine, out))
            try:
                yield
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                await consumer.stop()
                await out.stop()

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ok"}

    return app


if __name__ == "__main__":
    serve(create_app())
