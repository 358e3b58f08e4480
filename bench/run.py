"""The benchmark: the whole system on the embedded broker, driven over HTTP, against the bare
transport measured in the same run. Prints a table and writes bench/results/<time>.json.

Phases:
1. raw aiokafka produce → consume of messages the size of a `post.received` envelope;
2. pure CPU figures: routing decisions/s (router domain, no I/O), normalization/s per
   platform (connectors on their documented fixtures), enrichment/s;
3. end-to-end throughput: N posts to ingest's `POST /v1/posts` (batches) until every one is
   routed (`case.assigned`, or queued when a team is full) and counted by analytics;
4. latency from acceptance (`post_received_at`, stamped by ingest) to `case.assigned` at fixed
   offered loads (100 and 1,000 posts/s by default);
5. peak RSS of every service process during the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
from aiokafka import AIOKafkaConsumer
from chorus_cli.procs import SERVICES, start_service, stop_all, wait_ready
from chorus_common.auth import create_token
from chorus_common.embedded import free_port, start_broker, stop_process
from chorus_common.provisioning import provision_topics
from chorus_common.settings import DEV_TOKEN_SECRET

from bench.baseline import raw_transport
from bench.cpu import cpu_figures
from bench.memory import PeakRss

RESULTS = Path(__file__).resolve().parent / "results"


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    idx = min(len(s) - 1, max(0, round(q * (len(s) - 1))))
    return s[idx]


def make_post(run: str, i: int) -> dict[str, Any]:
    """A realistic internal-system post (generic shape) with its own conversation."""
    texts = [
        "My order #{i} never arrived, where is my delivery?",
        "Je veux être remboursé, la commande {i} est arrivée cassée",
        "Love the new flavour, great job team! #{i}",
        "I will sue you if my data is not deleted under GDPR (ref {i})",
        "Journaliste au Monde, je prépare un article sur votre rappel produit {i}",
        "Idea: a family size pack would be awesome {i}",
    ]
    return {
        "id": f"{run}-{i}",
        "channel": "bench",
        "kind": "comment",
        "text": texts[i % len(texts)].format(i=i),
        "created_at": datetime.now(UTC).isoformat(),
        "author": {
            "id": f"u{i % 5000}",
            "handle": f"user{i % 5000}",
            "followers": (i * 37) % 20000,
        },
        "thread_id": f"{run}-t{i}",
    }


class CaseWatcher:
    """Reads chorus.cases.v1 and records, per post id, when it was first routed."""

    def __init__(self, bootstrap: str) -> None:
        self.consumer = AIOKafkaConsumer(
            "chorus.cases.v1",
            bootstrap_servers=bootstrap,
            group_id=f"bench-{uuid.uuid4().hex[:6]}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            fetch_max_wait_ms=10,
            session_timeout_ms=6000,
            heartbeat_interval_ms=500,
        )
        self.routed: dict[str, float] = {}
        self.latency: dict[str, float] = {}
        self.assigned = 0
        self.queued = 0
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
            for msgs in batch.values():
                for m in msgs:
                    env = orjson.loads(m.value)
                    p = env["payload"]
                    status = p.get("status")
                    routed = env["type"] == "case.assigned" or (
                        env["type"] == "case.opened" and status == "queued"
                    )
                    if not routed:
                        continue
                    for pid in p.get("post_ids", []):
                        if pid in self.routed:
                            continue
                        self.routed[pid] = now
                        if env["type"] == "case.assigned":
                            self.assigned += 1
                            rec = p.get("post_received_at")
                            if rec:
                                self.latency[pid] = now - datetime.fromisoformat(rec).timestamp()
                        else:
                            self.queued += 1

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
        await self.consumer.stop()


async def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(0.05)
    return False


async def throughput(
    client: httpx.AsyncClient,
    watcher: CaseWatcher,
    n: int,
    batch: int,
    senders: int,
    analytics_base: int | None,
) -> dict[str, Any]:
    run = f"tp{uuid.uuid4().hex[:6]}"
    posts = [make_post(run, i) for i in range(n)]
    chunks = [posts[i : i + batch] for i in range(0, n, batch)]
    queue: asyncio.Queue[list[dict[str, Any]]] = asyncio.Queue()
    for c in chunks:
        queue.put_nowait(c)
    accepted = 0

    async def sender() -> None:
        nonlocal accepted
        while not queue.empty():
            chunk = queue.get_nowait()
            r = await client.post(
                f"http://127.0.0.1:{SERVICES['ingest']}/v1/posts", json={"posts": chunk}
            )
            r.raise_for_status()
            accepted += len(chunk)

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(senders)))
    ingest_s = time.perf_counter() - started
    ids = {f"generic:{p['id']}" for p in posts}

    async def all_routed() -> bool:
        return ids <= watcher.routed.keys()

    ok = await _wait(all_routed, timeout=max(120.0, n / 100))
    routed_s = time.perf_counter() - started
    out: dict[str, Any] = {
        "posts": n,
        "accepted": accepted,
        "ingest_http_posts_per_s": round(n / ingest_s),
        "routed": len(ids & watcher.routed.keys()),
        "complete": ok,
        "e2e_to_routed_posts_per_s": round(n / routed_s),
    }
    if analytics_base is not None:

        async def counted() -> bool:
            total = await _analytics_total(client)
            return total is not None and total - analytics_base >= n

        ok_a = await _wait(counted, timeout=max(120.0, n / 100))
        out["analytics_complete"] = ok_a
        out["e2e_to_analytics_posts_per_s"] = round(n / (time.perf_counter() - started))
    return out


async def _analytics_total(client: httpx.AsyncClient) -> int | None:
    try:
        r = await client.get(f"http://127.0.0.1:{SERVICES['analytics']}/v1/reports/summary")
        value = r.json().get("posts_total")
        return int(value) if value is not None else None
    except (httpx.HTTPError, ValueError, TypeError):
        return None


async def fixed_load(
    client: httpx.AsyncClient, watcher: CaseWatcher, rate: int, seconds: float
) -> dict[str, Any]:
    """Offer ``rate`` posts/s for ``seconds`` in 10 ms ticks; latency acceptance → case.assigned."""
    run = f"ld{rate}-{uuid.uuid4().hex[:6]}"
    tick = 0.01 if rate >= 100 else 0.1
    per_tick = max(1, round(rate * tick))
    total = int(rate * seconds)
    sent = 0
    i = 0
    started = time.perf_counter()
    inflight: set[asyncio.Task[Any]] = set()
    while sent < total:
        chunk = [make_post(run, i + k) for k in range(min(per_tick, total - sent))]
        i += len(chunk)
        sent += len(chunk)
        task = asyncio.create_task(
            client.post(f"http://127.0.0.1:{SERVICES['ingest']}/v1/posts", json={"posts": chunk})
        )
        inflight.add(task)
        task.add_done_callback(inflight.discard)
        next_at = started + (sent / rate)
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
    await asyncio.gather(*inflight, return_exceptions=True)
    offered_s = time.perf_counter() - started
    ids = {f"generic:{run}-{k}" for k in range(total)}

    async def done() -> bool:
        return ids <= watcher.routed.keys()

    complete = await _wait(done, timeout=60)
    lat = [watcher.latency[p] * 1000 for p in ids if p in watcher.latency]
    return {
        "offered_per_s": rate,
        "achieved_offer_per_s": round(total / offered_s),
        "posts": total,
        "assigned": len(lat),
        "complete": complete,
        "p50_ms": round(_pct(lat, 0.50), 1),
        "p95_ms": round(_pct(lat, 0.95), 1),
        "p99_ms": round(_pct(lat, 0.99), 1),
        "max_ms": round(max(lat), 1) if lat else None,
    }


async def _raise_capacity(client: httpx.AsyncClient) -> int:
    """Give every member a very large capacity so the benchmark measures routing, not queues."""
    base = f"http://127.0.0.1:{SERVICES['router']}"
    try:
        r = await client.get(f"{base}/v1/members", params={"limit": 500})
        members = r.json().get("items", r.json()) if r.status_code == 200 else []
    except (httpx.HTTPError, ValueError):
        return 0
    changed = 0
    for m in members if isinstance(members, list) else []:
        mid = m.get("id")
        current = await client.get(f"{base}/v1/members/{mid}")
        headers = {"If-Match": current.headers.get("ETag", "*")}
        r = await client.patch(
            f"{base}/v1/members/{mid}", json={"capacity": 10_000}, headers=headers
        )
        changed += r.status_code < 300
    return changed


async def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="make bench")
    ap.add_argument("--posts", type=int, default=int(os.environ.get("BENCH_POSTS", 20000)))
    ap.add_argument("--batch", type=int, default=250)
    ap.add_argument("--senders", type=int, default=4)
    ap.add_argument("--loads", default=os.environ.get("BENCH_LOADS", "100,1000"))
    ap.add_argument("--load-seconds", type=float, default=10.0)
    ap.add_argument("--baseline-messages", type=int, default=100_000)
    args = ap.parse_args(argv)

    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    print("CPU-only figures…", flush=True)
    results["cpu"] = cpu_figures()

    var = Path(tempfile.mkdtemp(prefix="chorus-bench-"))
    port = free_port()
    broker = start_broker(port, var / "broker.log")
    bootstrap = f"127.0.0.1:{port}"
    services = []
    try:
        await provision_topics(bootstrap, partitions=4)
        sample = orjson.dumps({"payload": make_post("size", 1), "pad": "x" * 600})
        print("baseline: raw aiokafka produce → consume…", flush=True)
        results["baseline"] = await raw_transport(bootstrap, args.baseline_messages, len(sample))

        env_common = {
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "KAFKA_FETCH_MAX_WAIT_MS": "10",
            "LOG_LEVEL": "WARNING",
            "RATE_LIMIT_PER_MINUTE": "10000000",
            "MAX_BODY_BYTES": str(8 * 1_048_576),
        }
        for name, p in SERVICES.items():
            env = {**env_common, "DATABASE_URL": f"sqlite+aiosqlite:///{var}/{name}.db"}
            services.append(start_service(name, port=p, env=env, log_dir=var / "log"))
        for svc in services:
            await asyncio.to_thread(wait_ready, svc, 90.0)
        rss = PeakRss({s.name: s.proc.pid for s in services}).start()
        token = create_token(
            os.environ.get("TOKEN_SECRET", DEV_TOKEN_SECRET), sub="bench", role="admin"
        )
        watcher = CaseWatcher(bootstrap)
        await watcher.start()
        async with httpx.AsyncClient(
            headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as client:
            results["capacity_raised_members"] = await _raise_capacity(client)
            base = await _analytics_total(client)
            print(f"end-to-end throughput: {args.posts} posts…", flush=True)
            results["throughput"] = await throughput(
                client, watcher, args.posts, args.batch, args.senders, base
            )
            results["latency"] = []
            for rate in [int(x) for x in args.loads.split(",") if x]:
                print(f"fixed load {rate}/s for {args.load_seconds}s…", flush=True)
                results["latency"].append(
                    await fixed_load(client, watcher, rate, args.load_seconds)
                )
        await watcher.stop()
        results["peak_rss_mb"] = rss.stop()
    finally:
        stop_all(services)
        stop_process(broker)

    base_rate = results["baseline"]["produce_consume_per_s"]
    e2e = results["throughput"]["e2e_to_routed_posts_per_s"]
    results["ratio_e2e_to_transport"] = round(e2e / base_rate, 3) if base_rate else None
    results["saturation_posts_per_s"] = e2e
    _print_table(results)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nwritten to {out}")
    return 0


def _print_table(r: dict[str, Any]) -> None:
    rows: list[tuple[str, str]] = []
    b = r["baseline"]
    rows.append(
        ("raw aiokafka produce→consume (msg/s)", f"{b['produce_consume_per_s']:,} ({b['bytes']} B)")
    )
    t = r["throughput"]
    rows.append(("ingest HTTP accept (posts/s)", f"{t['ingest_http_posts_per_s']:,}"))
    rows.append(
        (
            "end-to-end to case routed (posts/s)",
            f"{t['e2e_to_routed_posts_per_s']:,} complete={t['complete']}",
        )
    )
    if "e2e_to_analytics_posts_per_s" in t:
        rows.append(
            (
                "end-to-end to analytics count (posts/s)",
                f"{t['e2e_to_analytics_posts_per_s']:,} complete={t['analytics_complete']}",
            )
        )
    rows.append(("ratio end-to-end / raw transport", f"{r['ratio_e2e_to_transport']}"))
    for lat in r["latency"]:
        rows.append(
            (
                f"latency @ {lat['offered_per_s']}/s p50/p95/p99 (ms)",
                f"{lat['p50_ms']} / {lat['p95_ms']} / {lat['p99_ms']}",
            )
        )
    for k, v in r["cpu"].items():
        rows.append((k, f"{v}"))
    for name, mb in r.get("peak_rss_mb", {}).items():
        rows.append((f"peak RSS {name} (MiB)", f"{mb}"))
    width = max(len(k) for k, _ in rows)
    print()
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
