"""The floor's ingest: a post in over HTTP, its id recorded in one transaction, produced.

With ``FLOOR_STEPS`` containing ``post`` each item becomes the canonical Post through the
generic connector and travels in ingest's own ``post.received`` envelope; with ``enrich`` its
language and signals are computed as ingest computes them.

Run as ``python -m bench.floor.ingest`` (PORT, KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from sqlalchemy import text

from bench.floor.common import POSTS, database, producer, serve, steps

_SCHEMA = "CREATE TABLE IF NOT EXISTS seen (post_id TEXT PRIMARY KEY, received_at TEXT)"
_SEEN = text("INSERT OR IGNORE INTO seen (post_id, received_at) VALUES (:post_id, :received_at)")


def bare(items: list[dict[str, Any]], now: datetime) -> list[tuple[str, bytes, bytes]]:
    """(post id, key, value) of each item, as little as the router and watcher need."""
    stamp = now.isoformat()
    out = []
    for p in items:
        post_id = f"generic:{p['id']}"
        post = {"id": post_id, "thread_id": f"generic:{p['thread_id']}", "received_at": stamp}
        value = {"type": "post.received", "occurred_at": stamp, "payload": {"post": post}}
        out.append((post_id, p["thread_id"].encode(), orjson.dumps(value)))
    return out


def canonical(items: list[dict[str, Any]], now: datetime, enrich: bool) -> list[tuple[str, bytes, bytes]]:  # fmt: skip
    """The same through Chorus's generic connector, enrichment and envelope."""
    from chorus_ingest.envelopes import enrich_for_publish, post_event
    from chorus_platforms.generic.inbound import normalize_indexed

    posts, _errors = normalize_indexed(items)
    out = []
    for _, post in posts:
        post = (
            enrich_for_publish(post, now)
            if enrich
            else post.model_copy(update={"received_at": now})
        )
        env = post_event(post.model_dump(mode="json"), update=False, revision=1, now=now,
                         trace_id=uuid.uuid4().hex)  # fmt: skip
        out.append((post.id, post.thread_id.encode(), env.to_bytes()))
    return out


def create_app() -> FastAPI:
    state: dict[str, Any] = {}
    wanted = steps()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if "enrich" in wanted:
            from chorus_signals import warm_up

            warm_up()
        async with database(_SCHEMA) as engine:
            state["engine"] = engine
            state["producer"] = p = producer()
            await p.start()
            try:
                yield
            finally:
                await p.stop()

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/posts")
    async def posts(request: Request) -> Response:
        items = orjson.loads(await request.body())["posts"]
        now = datetime.now(UTC)
        out = canonical(items, now, "enrich" in wanted) if "post" in wanted else bare(items, now)
        rows = [{"post_id": post_id, "received_at": now.isoformat()} for post_id, _, _ in out]
        async with state["engine"].begin() as conn:
            await conn.execute(_SEEN, rows)
        sent = [await state["producer"].send(POSTS, value, key=key) for _, key, value in out]
        await asyncio.gather(*sent)
        return Response(
            orjson.dumps({"accepted": [post_id for post_id, _, _ in out]}),
            status_code=202,
            media_type="application/json",
        )

    return app


if __name__ == "__main__":
    serve(create_app())
