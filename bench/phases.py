"""The measured phases: end-to-end throughput (batches, webhooks) and latency at fixed loads."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import orjson

from bench.lean_http import HttpError, LeanClient
from bench.system import System
from bench.traffic import TEXTS, Webhooks, generic_id, make_post
from bench.watch import CaseWatcher


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    idx = min(len(s) - 1, max(0, round(q * (len(s) - 1))))
    return s[idx]


async def wait_until(predicate: Callable[[], Awaitable[bool]], timeout: float,
                     every: float = 0.05) -> bool:  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(every)
    return False


async def analytics_total(client: httpx.AsyncClient, system: System) -> int | None:
    try:
        # The volume report of the last two days (two day buckets), not the all-time summary:
        # that one computes every section over the whole history, so polling it would cost
        # analytics more with every run and skew the repeated runs.
        r = await client.get(
            f"{system.url('analytics')}/v1/reports/volume",
            params={"since": "2d", "granularity": "day"},
        )
        value = r.json().get("total")
        return int(value) if value is not None else None
    except (httpx.HTTPError, ValueError, TypeError):
        return None


async def _finish(client: httpx.AsyncClient, system: System, watcher: CaseWatcher,
                  ids: set[str], started: float, sent_s: float,
                  analytics_base: int | None) -> dict[str, Any]:  # fmt: skip
    n = len(ids)

    async def all_routed() -> bool:
        return ids <= watcher.routed.keys()

    ok = await wait_until(all_routed, timeout=max(120.0, n / 100))
    routed_s = time.perf_counter() - started
    out: dict[str, Any] = {
        "posts": n,
        "ingest_http_posts_per_s": round(n / sent_s),
        "routed": len(ids & watcher.routed.keys()),
        "complete": ok,
        "e2e_to_routed_posts_per_s": round(n / routed_s),
    }
    if analytics_base is not None:

        async def counted() -> bool:
            total = await analytics_total(client, system)
            return total is not None and total - analytics_base >= n

        # Polled twice a second: the summary report is not free, the poll must not be the load.
        ok_a = await wait_until(counted, timeout=max(120.0, n / 50), every=0.5)
        out["analytics_complete"] = ok_a
        out["e2e_to_analytics_posts_per_s"] = round(n / (time.perf_counter() - started))
    return out


async def throughput_batches(client: httpx.AsyncClient, system: System, watcher: CaseWatcher,
                             n: int, batch: int, senders: int,
                             texts: list[str] = TEXTS) -> dict[str, Any]:  # fmt: skip
    """``n`` generic posts in batches of ``batch`` from ``senders`` concurrent clients."""
    run = f"tp{uuid.uuid4().hex[:6]}"
    posts = [make_post(run, i, texts) for i in range(n)]
    queue: asyncio.Queue[list[dict[str, Any]]] = asyncio.Queue()
    for i in range(0, n, batch):
        queue.put_nowait(posts[i : i + batch])
    base = await analytics_total(client, system)

    async def sender() -> None:
        c = LeanClient(system.url("ingest"), system.auth)
        while not queue.empty():
            chunk = queue.get_nowait()
            status, body = await c.post_json("/v1/posts", {"posts": chunk})
            if not 200 <= status < 300:
                raise HttpError(f"POST /v1/posts: {status} {body[:300]!r}")
        await c.aclose()

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(senders)))
    sent_s = time.perf_counter() - started
    ids = {generic_id(run, i) for i in range(n)}
    return await _finish(client, system, watcher, ids, started, sent_s, base)


async def throughput_webhooks(client: httpx.AsyncClient, system: System, watcher: CaseWatcher,
                              n: int, senders: int) -> dict[str, Any]:  # fmt: skip
    """``n`` signed platform webhooks, one post each, from ``senders`` concurrent clients."""
    hooks = Webhooks()
    if not await hooks.prepare(client, system.url("ingest"), system.token):
        return {"error": "channels not created"}
    deliveries = [hooks.next() for _ in range(n)]
    base = await analytics_total(client, system)
    ids: set[str] = set()
    refused = 0
    by_platform: dict[str, int] = {}
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for d in deliveries:
        queue.put_nowait(d)
        by_platform[d.platform] = by_platform.get(d.platform, 0) + 1
    ingest = system.url("ingest")

    async def sender() -> None:
        nonlocal refused
        c = LeanClient(ingest, {})  # no bearer token: signatures instead
        while not queue.empty():
            d = queue.get_nowait()
            status, body = await c.post(f"/v1/webhooks/{d.platform}", d.body, d.headers, d.query)
            if status >= 300:
                refused += 1
                continue
            for item in orjson.loads(body).get("results", []):
                if item.get("status") == "accepted" and item.get("post_id"):
                    ids.add(item["post_id"])
        await c.aclose()

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(senders)))
    sent_s = time.perf_counter() - started
    out = await _finish(client, system, watcher, ids, started, sent_s, base)
    out.update(deliveries=n, refused=refused, platforms=by_platform)
    return out


async def fixed_load(client: httpx.AsyncClient, system: System, watcher: CaseWatcher,
                     rate: int, seconds: float) -> dict[str, Any]:  # fmt: skip
    """Offer ``rate`` posts/s for ``seconds`` in 10 ms ticks; latency acceptance → case.assigned."""
    run = f"ld{rate}-{uuid.uuid4().hex[:6]}"
    tick = 0.01 if rate >= 100 else 0.1
    per_tick = max(1, round(rate * tick))
    total = int(rate * seconds)
    # A lean client: httpx's own CPU per request took cores from the system under test.
    lean = LeanClient(system.url("ingest"), system.auth)
    sent = 0
    failed = 0

    async def post(chunk: list[dict[str, Any]]) -> None:
        nonlocal failed
        try:
            status, _ = await lean.post_json("/v1/posts", {"posts": chunk})
        except (OSError, HttpError, asyncio.IncompleteReadError):
            status = 0
        if not 200 <= status < 300:
            failed += 1

    started = time.perf_counter()
    inflight: set[asyncio.Task[Any]] = set()
    while sent < total:
        chunk = [make_post(run, sent + k) for k in range(min(per_tick, total - sent))]
        sent += len(chunk)
        task = asyncio.create_task(post(chunk))
        inflight.add(task)
        task.add_done_callback(inflight.discard)
        await asyncio.sleep(max(0.0, started + sent / rate - time.perf_counter()))
    await asyncio.gather(*inflight, return_exceptions=True)
    offered_s = time.perf_counter() - started
    await lean.aclose()
    ids = {generic_id(run, k) for k in range(total)}

    async def done() -> bool:
        return ids <= watcher.routed.keys()

    complete = await wait_until(done, timeout=60)
    lat = [watcher.latency[p] * 1000 for p in ids if p in watcher.latency]
    segs: list[tuple[float, ...]] = [watcher.segments[p] for p in ids if p in watcher.segments]
    names = ["accepted_to_ingest_produced", "ingest_produced_to_decision"]
    if not watcher.split:  # without --ingest-split the first two segments are one
        segs = [(a + b, c, d) for a, b, c, d in segs]
        names = ["accepted_to_decision"]
    names += ["decision_to_produced", "produced_to_seen"]
    breakdown = {
        name: {
            "p50_ms": round(pct([s[i] * 1000 for s in segs], 0.50), 1),
            "p99_ms": round(pct([s[i] * 1000 for s in segs], 0.99), 1),
        }
        for i, name in enumerate(names)
    }
    return {
        "breakdown": breakdown,
        "offered_per_s": rate,
        "achieved_offer_per_s": round(total / offered_s),
        "posts": total,
        "failed_requests": failed,
        "assigned": len(lat),
        "complete": complete,
        "p50_ms": round(pct(lat, 0.50), 1),
        "p95_ms": round(pct(lat, 0.95), 1),
        "p99_ms": round(pct(lat, 0.99), 1),
        "max_ms": round(max(lat), 1) if lat else None,
    }


async def raise_capacity(client: httpx.AsyncClient, system: System) -> int:
    """Give every member a very large capacity so the benchmark measures routing, not queues."""
    base = system.url("router")
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
