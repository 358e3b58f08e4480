"""Reads chorus.cases.v1 and records, per post id, when it was first routed and its latency.

With ``posts`` (``--ingest-split``) it also reads chorus.posts.v1 for the record timestamp of
each `post.received` (when ingest's relay handed it to its producer), to split the time
before the routing decision into ingest's part and the router's; off by default, as it adds
a consumer of every post to the broker's load."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime

import orjson
from aiokafka import AIOKafkaConsumer

# A post that joins a known conversation moves its case along with one of these events.
FOLLOW_UP = {"case.updated", "case.escalated", "case.reopened", "case.reassigned"}


class CaseWatcher:
    """Routed = `case.assigned`, `case.opened` with status queued (team full), or a follow-up
    event whose ``latest_post_id`` is the post. Latency (acceptance → `case.assigned`) is
    recorded for assigned posts only, from ingest's ``post_received_at`` stamp."""

    def __init__(self, bootstrap: str, *, posts: bool = False) -> None:
        self.consumer = AIOKafkaConsumer(
            "chorus.cases.v1",
            *(["chorus.posts.v1"] if posts else []),
            bootstrap_servers=bootstrap,
            group_id=f"bench-{uuid.uuid4().hex[:6]}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            fetch_max_wait_ms=10,
            session_timeout_ms=6000,
            heartbeat_interval_ms=500,
        )
        self.split = posts
        self.routed: dict[str, float] = {}
        self.latency: dict[str, float] = {}
        # Per assigned post: (accepted → post.received produced by ingest, → routing decision,
        # decision → case event produced, produced → seen here), in seconds.
        self.segments: dict[str, tuple[float, float, float, float]] = {}
        # post id -> record timestamp of its first post.received (seconds)
        self.ingested: dict[str, float] = {}
        self.assigned = 0
        self.queued = 0
        self.followed = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.consumer.start()
        while not self.consumer.assignment():
            await asyncio.sleep(0.05)
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            batch = await self.consumer.getmany(timeout_ms=100, max_records=5000)
            now = time.time()
            for tp, msgs in batch.items():
                posts = tp.topic == "chorus.posts.v1"
                for m in msgs:
                    env = orjson.loads(m.value)
                    if posts:
                        self._ingested(env, m.timestamp / 1000)
                    else:
                        self._see(env, now, m.timestamp / 1000)

    def _ingested(self, env: dict[str, object], produced: float) -> None:
        p = env["payload"]
        assert isinstance(p, dict)
        self.ingested.setdefault(str(p["post"]["id"]), produced)

    def _see(self, env: dict[str, object], now: float, produced: float) -> None:
        p = env["payload"]
        assert isinstance(p, dict)
        kind = env["type"]
        if kind == "case.assigned" or (kind == "case.opened" and p.get("status") == "queued"):
            pids = p.get("post_ids", [])
        elif kind in FOLLOW_UP and p.get("latest_post_id"):
            pids = [p["latest_post_id"]]
        else:
            return
        for pid in pids:
            if pid in self.routed:
                continue
            self.routed[pid] = now
            if kind == "case.assigned":
                self.assigned += 1
                rec = p.get("post_received_at")
                if rec:
                    accepted = datetime.fromisoformat(rec).timestamp()
                    decided = datetime.fromisoformat(str(env["occurred_at"])).timestamp()
                    self.latency[pid] = now - accepted
                    ingested = self.ingested.get(pid, accepted)
                    self.segments[pid] = (
                        ingested - accepted,
                        decided - ingested,
                        produced - decided,
                        now - produced,
                    )
            elif kind == "case.opened":
                self.queued += 1
            else:
                self.followed += 1

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
        await self.consumer.stop()
