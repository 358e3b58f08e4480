"""The benchmark's floor: its two processes carry posts through the real broker and SQLite
and the real case watcher sees every one of them routed, exactly once each."""

from __future__ import annotations

import sqlite3

import pytest

from bench import phases
from bench.floor.phase import running
from bench.traffic import generic_id, make_post


@pytest.mark.e2e
@pytest.mark.timeout(120)
async def test_floor_routes_every_post_once_and_the_watcher_sees_its_latency() -> None:
    async with running() as (system, watcher, client):
        res = await phases.throughput_batches(client, system, watcher, 60, 7, 3)
        assert res["complete"] and res["routed"] == 60
        # The same posts again: recorded once (the ids are the keys), published again (the
        # floor has no dedup decision), and the watcher counts each post once.
        run = "again"
        posts = [make_post(run, i) for i in range(5)]
        for _ in range(2):
            r = await client.post(f"{system.url('ingest')}/v1/posts", json={"posts": posts})
            assert r.status_code == 202
        ids = {generic_id(run, i) for i in range(5)}

        async def routed() -> bool:
            return ids <= watcher.routed.keys()

        assert await phases.wait_until(routed, timeout=30)
        assert len(watcher.latency) == 65
        assert all(0 < v < 30 for v in watcher.latency.values())
        # Each process wrote what it says: one seen row and one case row per distinct post.
        for db, table in (("floor-ingest.db", "seen"), ("floor-router.db", "cases")):
            with sqlite3.connect(system.var / db) as conn:
                assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 65
