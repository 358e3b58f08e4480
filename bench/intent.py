"""The intent classifier's price on the whole system: the same traffic, posts no keyword rule
matches (so the router classifies every one of them), through a system whose router has
``ROUTER_INTENT=on`` and one with ``off``, each fresh, alternating on/off then off/on.

The end-to-end rate and the router's CPU per post of each, and the loss of the ``on`` side;
then the router alone in this process (memory bus, SQLite), the same A/B in CPU per post:
on a busy machine the system's rates move by more than the classifier costs, a process's CPU
time per post much less.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from collections.abc import Mapping
from typing import Any

import httpx

from bench import phases
from bench.memory import peak_rss_mb
from bench.system import System
from bench.traffic import INTENT_TEXTS
from bench.watch import CaseWatcher

MODES = ("on", "off")


async def _classified(client: httpx.AsyncClient, system: System) -> float | None:
    """Share of the newest cases whose decision carries the classifier's verdict."""
    try:
        r = await client.get(f"{system.url('router')}/v1/cases", params={"limit": 200})
        items = r.json()["items"]
    except (httpx.HTTPError, ValueError, KeyError):
        return None
    if not items:
        return None
    return round(sum(1 for c in items if c["decision"].get("intent")) / len(items), 3)


async def _one(args: argparse.Namespace, env: Mapping[str, str], mode: str) -> dict[str, Any]:
    async with System({**env, "router:ROUTER_INTENT": mode}) as system:
        await system.start_services()
        watcher = CaseWatcher(system.bootstrap)
        await watcher.start()
        try:
            async with httpx.AsyncClient(headers=system.auth, timeout=60) as client:
                await phases.raise_capacity(client, system)
                await system.settle()
                before = system.cpu_seconds()
                res = await phases.throughput_batches(
                    client, system, watcher, args.intent_posts, args.batch, args.senders,
                    INTENT_TEXTS,
                )  # fmt: skip
                await system.settle()
                used = system.cpu_since(before)
                share = await _classified(client, system)
        finally:
            await watcher.stop()
        rss = peak_rss_mb(system.pids).get("router")
    posts = max(1, res.get("posts", 1))
    return {
        "mode": mode,
        "e2e_to_routed_posts_per_s": res.get("e2e_to_routed_posts_per_s"),
        "complete": res.get("complete"),
        "router_cpu_us_per_post": round(1e6 * used.get("router", 0.0) / posts),
        "all_cpu_us_per_post": round(1e6 * sum(used.values()) / posts),
        "classified_share": share,
        "router_peak_rss_mb": rss,
    }


async def intent_phase(args: argparse.Namespace, env: Mapping[str, str]) -> dict[str, Any]:
    """``--intent-repeat`` pairs of fresh systems (on/off, then off/on, …)."""
    runs: list[dict[str, Any]] = []
    for i in range(args.intent_repeat):
        for mode in MODES if i % 2 == 0 else MODES[::-1]:
            print(f"intent {mode}: {args.intent_posts} posts no keyword matches…", flush=True)
            runs.append(await _one(args, env, mode))
    out: dict[str, Any] = {"posts": args.intent_posts, "runs": runs}
    for mode in MODES:
        mine = [r for r in runs if r["mode"] == mode]
        out[mode] = {
            key: statistics.median(r[key] for r in mine)
            for key in ("e2e_to_routed_posts_per_s", "router_cpu_us_per_post",
                        "all_cpu_us_per_post")
        }  # fmt: skip
        out[mode]["classified_share"] = mine[-1]["classified_share"]
        out[mode]["router_peak_rss_mb"] = mine[-1]["router_peak_rss_mb"]
    on, off = out["on"], out["off"]
    if off["e2e_to_routed_posts_per_s"]:
        ratio = on["e2e_to_routed_posts_per_s"] / off["e2e_to_routed_posts_per_s"]
        out["throughput_loss_pct"] = round(100 * (1 - ratio), 1)
    out["router_cpu_added_us_per_post"] = round(
        on["router_cpu_us_per_post"] - off["router_cpu_us_per_post"]
    )
    out["router_alone"] = await _router_alone(args)
    return out


async def _router_alone(args: argparse.Namespace) -> dict[str, Any]:
    """``bench.router_domain.pipeline_posts_per_second`` on keyword-less posts, on and off,
    ``--intent-repeat`` pairs in alternating order: the router's CPU per post (medians)."""
    from bench.router_domain import pipeline_posts_per_second

    cpu: dict[str, list[float]] = {m: [] for m in MODES}
    for i in range(args.intent_repeat):
        for mode in MODES if i % 2 == 0 else MODES[::-1]:
            print(f"router alone, intent {mode}: {args.intent_posts} posts…", flush=True)
            with tempfile.TemporaryDirectory() as tmp:
                r = await asyncio.to_thread(
                    pipeline_posts_per_second, args.intent_posts,
                    f"sqlite+aiosqlite:///{tmp}/router.db", 100, True, mode, True,
                )  # fmt: skip
            cpu[mode].append(1e6 / r["posts_per_cpu_second"])
    out: dict[str, Any] = {
        m: {"cpu_us_per_post": round(statistics.median(v))} for m, v in cpu.items()
    }
    out["runs_us_per_post"] = {m: [round(x) for x in v] for m, v in cpu.items()}
    added = out["on"]["cpu_us_per_post"] - out["off"]["cpu_us_per_post"]
    out["added_us_per_post"] = added
    out["added_pct"] = round(100 * added / out["off"]["cpu_us_per_post"], 1)
    return out
