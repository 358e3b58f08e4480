"""The benchmark's floor: its two processes carry posts through the real broker and SQLite,
the real case watcher sees every one routed once, and Chorus's steps can be added back."""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer
from chorus_common.messaging.envelope import Envelope

from bench import phases
from bench.floor.common import steps
from bench.floor.phase import running
from bench.traffic import generic_id, make_post

SENTIMENTS = ("negative", "neutral", "positive")


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


@pytest.mark.e2e
@pytest.mark.timeout(120)
async def test_floor_with_chorus_steps_added_back_carries_real_envelopes_and_decisions() -> None:
    async with running("post,enrich,decode,route") as (system, watcher, client):
        res = await phases.throughput_batches(client, system, watcher, 20, 5, 2)
        assert res["complete"] and res["routed"] == 20
        async with AIOKafkaConsumer(
            "chorus.posts.v1",
            "chorus.cases.v1",
            bootstrap_servers=system.bootstrap,
            group_id="floor-test",
            auto_offset_reset="earliest",
        ) as consumer:
            seen: dict[str, list[dict[str, Any]]] = {"post.received": [], "case.assigned": []}

            async def all_read() -> bool:
                for msgs in (await consumer.getmany(timeout_ms=200)).values():
                    for m in msgs:
                        env = orjson.loads(m.value)
                        seen[env["type"]].append(env)
                return all(len(v) >= 20 for v in seen.values())

            assert await phases.wait_until(all_read, timeout=30)
    # ingest's own envelope, with the post enriched; the router's decision on each case
    for env in seen["post.received"]:
        assert Envelope.from_bytes(orjson.dumps(env)).type == "post.received"
        assert env["payload"]["post"]["signals"]["sentiment_label"] in SENTIMENTS
        assert env["payload"]["post"]["lang"] in ("en", "fr", None)
    for env in seen["case.assigned"]:
        payload = env["payload"]
        assert payload["team"] and payload["decision"]["rules_version"] == 1
        assert payload["reason"].startswith(payload["team"])


@pytest.mark.unit
def test_floor_steps_refuse_unknown_names_and_missing_prerequisites(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLOOR_STEPS", "post,enrich,decode,route")
    assert steps() == {"post", "enrich", "decode", "route"}
    monkeypatch.delenv("FLOOR_STEPS")
    assert steps() == frozenset()
    for bad, why in (("pots", "unknown"), ("enrich", "needs post"), ("route", "needs decode")):
        monkeypatch.setenv("FLOOR_STEPS", bad)
        with pytest.raises(ValueError, match=why):
            steps()
