"""The floor's router: posts read in batches, one case row each in one transaction, then
``case.assigned`` produced and the offsets committed.

With ``FLOOR_STEPS`` containing ``decode`` each record is decoded as the router decodes it
(envelope and typed payload); with ``route`` the post is classified against the default rules
and assigned in the seed directory, and the event carries the decision record and reason.

Run as ``python -m bench.floor.router`` (PORT, KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.floor.common import CASES, POSTS, bootstrap, database, producer, serve, steps

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cases (thread_id TEXT PRIMARY KEY, post_id TEXT, opened_at TEXT)"
)
_CASE = text(
    "INSERT OR IGNORE INTO cases (thread_id, post_id, opened_at)"
    " VALUES (:thread_id, :post_id, :opened_at)"
)


class Router:
    """The router's pure domain on its defaults (bench.router_domain.SeedDomain)."""

    def __init__(self) -> None:
        from bench.router_domain import SeedDomain

        self.domain = SeedDomain()

    def decide(self, post: Any, now: datetime) -> dict[str, Any]:
        from chorus_router.routing.decision import record, summary

        c, choice = self.domain.decide(post, now)
        self.domain.keep_busy(c, choice)
        return {
            "team": c.team,
            "assignee": choice.member,
            "priority": c.priority,
            "reason": summary(c, choice),
            "decision": record(c, choice, now),
        }


def read(values: list[bytes], wanted: frozenset[str]) -> list[tuple[dict[str, Any], Any]]:
    """(the post's id, thread and reception time; the typed post or None) of each record."""
    if "decode" not in wanted:
        return [(orjson.loads(v)["payload"]["post"], None) for v in values]
    from chorus_common.messaging.envelope import Envelope

    out = []
    for v in values:
        post = Envelope.from_bytes(v).parsed().post
        ids = {"id": post.id, "thread_id": post.thread_id,
               "received_at": post.received_at.isoformat()}  # fmt: skip
        out.append((ids, post))
    return out


async def route(consumer: AIOKafkaConsumer, engine: AsyncEngine, out: AIOKafkaProducer,
                wanted: frozenset[str]) -> None:  # fmt: skip
    """The consumer loop: the settings of the real router's posts consumer."""
    router = Router() if "route" in wanted else None
    while True:
        batch = await consumer.getmany(timeout_ms=1000, max_records=100)
        posts = read([m.value for msgs in batch.values() for m in msgs], wanted)
        if not posts:
            continue
        now = datetime.now(UTC)
        stamp = now.isoformat()
        rows = [{"thread_id": p["thread_id"], "post_id": p["id"], "opened_at": stamp}
                for p, _ in posts]  # fmt: skip
        async with engine.begin() as conn:
            await conn.execute(_CASE, rows)
        sent = []
        for p, typed in posts:
            payload = {
                "status": "assigned",
                "post_ids": [p["id"]],
                "post_received_at": p["received_at"],
                **(router.decide(typed, now) if router is not None else {}),
            }
            value = {"type": "case.assigned", "occurred_at": stamp, "payload": payload}
            sent.append(await out.send(CASES, orjson.dumps(value), key=p["thread_id"].encode()))
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
            task = asyncio.create_task(route(consumer, engine, out, steps()))
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
