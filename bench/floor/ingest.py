"""The floor's ingest: a post in over HTTP, its id recorded in one transaction, produced.

Run as ``python -m bench.floor.ingest`` (PORT, KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from sqlalchemy import text

from bench.floor.common import POSTS, database, producer, serve

_SCHEMA = "CREATE TABLE IF NOT EXISTS seen (post_id TEXT PRIMARY KEY, received_at TEXT)"
_SEEN = text("INSERT OR IGNORE INTO seen (post_id, received_at) VALUES (:post_id, :received_at)")


def create_app() -> FastAPI:
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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
        now = datetime.now(UTC).isoformat()
        rows = [{"post_id": f"generic:{p['id']}", "received_at": now} for p in items]
        async with state["engine"].begin() as conn:
            await conn.execute(_SEEN, rows)
        sent = [
            await state["producer"].send(
                POSTS,
                orjson.dumps(
                    {
                        "type": "post.received",
                        "occurred_at": now,
                        "payload": {
                            "post": {
                                "id": row["post_id"],
                                "thread_id": f"generic:{p['thread_id']}",
                                "received_at": now,
                            }
                        },
                    }
                ),
                key=p["thread_id"].encode(),
            )
            for p, row in zip(items, rows, strict=True)
        ]
        await asyncio.gather(*sent)
        return Response(
            orjson.dumps({"accepted": [r["post_id"] for r in rows]}),
            status_code=202,
            media_type="application/json",
        )

    return app


if __name__ == "__main__":
    serve(create_app())
