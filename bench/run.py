"""The benchmark: the whole system on the embedded broker, driven over HTTP, against the bare
transport measured in the same run. Prints a table and writes bench/results/<time>.json.

Phases (each on a quiet system: the previous phase's backlog is drained first):
1. raw aiokafka produce → consume of messages the size of a `post.received` envelope;
1b. the floor: the same loads and batches through two stand-in processes made of nothing but
   Chorus's stack (bench/floor/), so the table can say what the stack leaves room for, and
   again with every step the other issues require on each post added back (the targets are
   given against both Chorus and that rung);
2. pure CPU figures: routing decisions/s (router domain, no I/O), normalization/s per
   platform (connectors on their documented fixtures), enrichment/s;
3. latency from acceptance (`post_received_at`, stamped by ingest) to `case.assigned` at fixed
   offered loads (100 and 1,000 posts/s by default), and the knee: the highest offered load
   whose p99 stays under 100 ms (bisection between 100 and 1,000 posts/s);
4. end-to-end throughput: N generic posts to ingest's `POST /v1/posts` (batches) until every
   one is routed (`case.assigned`, or queued when a team is full) and counted by analytics;
5. end-to-end throughput of signed platform webhooks (one post per request, as platforms
   send them: X, Facebook, Instagram, WhatsApp, Google reviews, e-mail);
6. peak RSS and CPU seconds per post of every service process;
7. the intent classifier's price: posts no keyword rule matches, through fresh systems with
   the router's ``ROUTER_INTENT=on`` and ``off`` (its cost per post is in the CPU figures).

``--profile`` samples each service with py-spy during the throughput phases.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench import phases
from bench.baseline import raw_transport
from bench.cpu import cpu_figures
from bench.engines import EMBEDDED, Engine, add_arguments, engines
from bench.floor.common import STEPS
from bench.floor.phase import floor
from bench.intent import intent_phase
from bench.knee import find_knee
from bench.memory import peak_rss_mb
from bench.profiling import Profiler
from bench.report import print_table
from bench.system import System, machine_cpu
from bench.traffic import make_post
from bench.watch import CaseWatcher

RESULTS = Path(__file__).resolve().parent / "results"
ALL_PHASES = (
    "cpu", "baseline", "floor", "latency", "knee", "batches", "webhooks", "intent",
)  # fmt: skip
# The floor, then the floor with every one of Chorus's required steps added back.
DEFAULT_LADDER = ";" + ",".join(STEPS)


def _args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="make bench")
    ap.add_argument("--posts", type=int, default=int(os.environ.get("BENCH_POSTS", 20000)))
    ap.add_argument("--batch", type=int, default=250)
    ap.add_argument("--senders", type=int, default=4)
    ap.add_argument("--webhooks", type=int, default=int(os.environ.get("BENCH_WEBHOOKS", 1500)))
    ap.add_argument("--webhook-senders", type=int, default=16)
    ap.add_argument("--loads", default=os.environ.get("BENCH_LOADS", "100,1000"))
    ap.add_argument("--load-seconds", type=float, default=10.0)
    ap.add_argument("--knee-target-ms", type=float, default=100.0,
                    help="knee phase: the p99 a load must stay under")  # fmt: skip
    ap.add_argument("--knee-low", type=int, default=100)
    ap.add_argument("--knee-high", type=int, default=1000)
    ap.add_argument("--knee-steps", type=int, default=4, help="knee phase: bisection probes")
    ap.add_argument("--knee-seconds", type=float, default=6.0, help="knee phase: per probe")
    ap.add_argument("--shared-system", action="store_true",
                    help="run the latency loads and knee probes on the one system of the "
                         "run instead of a fresh system each (the embedded broker slows down "
                         "with the batches it holds)")  # fmt: skip
    ap.add_argument("--baseline-messages", type=int, default=100_000)
    ap.add_argument("--phases", default=",".join(ALL_PHASES),
                    help=f"comma-separated subset of {','.join(ALL_PHASES)}")  # fmt: skip
    ap.add_argument("--profile", action="store_true", help="py-spy every service per phase")
    ap.add_argument("--ingest-split", action="store_true",
                    help="also read chorus.posts.v1 to split the latency at ingest's produce"
                    " (one more consumer on the broker)")  # fmt: skip
    ap.add_argument("--floor-ladder", default=DEFAULT_LADDER,
                    help="floor phase: ';'-separated step sets, each a floor run with those of "
                         "Chorus's steps added back (post, enrich, decode, route), e.g. "
                         "';post;post,enrich;post,enrich,decode;post,enrich,decode,route'; the "
                         "first is the floor the table compares Chorus with. Default: the floor "
                         "and the rung of every required step, which the targets are also "
                         "compared with; '' for the floor alone")  # fmt: skip
    ap.add_argument("--intent-posts", type=int, default=int(os.environ.get("BENCH_INTENT_POSTS", 8000)),
                    help="intent phase: posts per system (none matches a keyword rule)")  # fmt: skip
    ap.add_argument("--intent-repeat", type=int, default=2,
                    help="intent phase: pairs of fresh systems, ROUTER_INTENT=on and off")  # fmt: skip
    ap.add_argument("--tag", default="", help="a label stored in the results (e.g. the step)")
    ap.add_argument(
        "--env",
        action="append",
        default=[],
        help="KEY=VALUE for every service, or service:KEY=VALUE for one (router:…)",
    )
    ap.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 1)),
                    help="run each throughput phase N times; report the median run and the "
                         "range (the machine is noisy: ±15 %% between identical runs)")  # fmt: skip
    add_arguments(ap)
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    return args


def _extra_env(args: argparse.Namespace) -> dict[str, str]:
    """``--env`` as a mapping (``service:KEY`` entries are sorted out by the system)."""
    return dict(kv.split("=", 1) for kv in args.env)


async def main(argv: list[str]) -> int:
    args = _args(argv)
    wanted = set(args.phases.split(","))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "tag": args.tag,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_at_start": os.getloadavg(),
        },
        "args": vars(args),
    }
    if "cpu" in wanted:
        print("CPU-only figures…", flush=True)
        results["cpu"] = cpu_figures()
    if "floor" in wanted:
        rungs = [
            await floor(
                [int(x) for x in args.loads.split(",") if x],
                args.load_seconds,
                args.posts,
                args.batch,
                args.senders,
                steps,
            )
            for steps in args.floor_ladder.split(";")
        ]
        results["floor"] = rungs[0]
        if len(rungs) > 1:
            results["floor_ladder"] = rungs
    if "intent" in wanted:  # on the embedded default only, like cpu and floor
        results["intent"] = await intent_phase(args, _extra_env(args))
    runs = engines(args)
    for engine in runs:
        if len(runs) > 1:
            print(f"engine: {engine.name}…", flush=True)
        res = await _on_engine(args, wanted, engine, stamp)
        _ratio(res)
        if engine.name == EMBEDDED:
            results.update(res)  # the top level keeps the embedded default's figures
        if len(runs) > 1:
            results.setdefault("engines", {})[engine.name] = res
    print_table(results)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench-{stamp}{'-' + args.tag if args.tag else ''}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nwritten to {out}")
    return 0


async def _on_engine(args: argparse.Namespace, wanted: set[str], engine: Engine,
                     stamp: str) -> dict[str, Any]:  # fmt: skip
    """The phases that start a system, on ``engine``."""
    results: dict[str, Any] = {}
    profiler = Profiler() if args.profile else None
    prof_dir = RESULTS / "profiles" / stamp / engine.name
    if not args.shared_system:
        # Each load on a system of its own, before the run's system starts (which would
        # otherwise idle beside them, polling).
        loader = _fresh_loader(args, engine, profiler, prof_dir)
        await _fixed_loads(loader, args, wanted, results)
    async with System(_extra_env(args), engine) as system:
        if "baseline" in wanted:
            sample = orjson.dumps({"payload": make_post("size", 1), "pad": "x" * 600})
            print("baseline: raw aiokafka produce → consume…", flush=True)
            results["baseline"] = await raw_transport(
                system.bootstrap, args.baseline_messages, len(sample)
            )
        shared_loads = args.shared_system and wanted & {"latency", "knee"}
        if shared_loads or wanted & {"batches", "webhooks"}:
            await system.start_services()
            results["idle_cpu_cores"] = round(system.idle_cpu, 3)
            await _measure(system, args, wanted, results, profiler, prof_dir)
    return results


async def _measure(system: System, args: argparse.Namespace, wanted: set[str],
                   results: dict[str, Any], profiler: Profiler | None,
                   prof_dir: Path) -> None:  # fmt: skip
    watcher = CaseWatcher(system.bootstrap, posts=args.ingest_split)
    await watcher.start()
    cpu: dict[str, Any] = {}
    async with httpx.AsyncClient(headers=system.auth, timeout=60) as client:
        results["capacity_raised_members"] = await phases.raise_capacity(client, system)
        if args.shared_system:

            async def load(rate: int, seconds: float, label: str) -> dict[str, Any]:
                return await _fixed_load(
                    system, watcher, client, rate, seconds, profiler, prof_dir, label
                )

            await _fixed_loads(load, args, wanted, results)
        for phase in ("batches", "webhooks"):
            if phase not in wanted:
                continue
            runs: list[tuple[dict[str, Any], dict[str, int]]] = []
            for i in range(args.repeat):
                if profiler is not None and i == 0:
                    profiler.start(system.pids, prof_dir, phase)
                runs.append(await _throughput(client, system, watcher, args, phase, i))
                if profiler is not None and i == 0:
                    results.setdefault("profile", {})[phase] = profiler.stop()
            res, cpu[phase] = _median_run(runs)
            results["throughput" if phase == "batches" else "webhooks"] = res
    results["cpu_us_per_post"] = cpu
    await watcher.stop()
    results["peak_rss_mb"] = peak_rss_mb(system.pids)  # the kernel kept the peaks


Loader = Callable[[int, float, str], Awaitable[dict[str, Any]]]


async def _fixed_loads(load: Loader, args: argparse.Namespace, wanted: set[str],
                       results: dict[str, Any]) -> None:  # fmt: skip
    """The knee (first: with --shared-system its probes see the freshest broker), then the
    latency loads."""
    if "knee" in wanted:
        results["knee"] = await _knee(load, args)
    if "latency" in wanted:
        results["latency"] = []
        for rate in [int(x) for x in args.loads.split(",") if x]:
            print(f"fixed load {rate}/s for {args.load_seconds}s…", flush=True)
            res = await load(rate, args.load_seconds, f"latency{rate}")
            profile = res.pop("profile", None)
            if profile is not None:
                results.setdefault("profile", {})[f"latency{rate}"] = profile
            results["latency"].append(res)


def _fresh_loader(args: argparse.Namespace, engine: Engine, profiler: Profiler | None,
                  prof_dir: Path) -> Loader:  # fmt: skip
    async def load(rate: int, seconds: float, label: str) -> dict[str, Any]:
        return await _fresh_fixed_load(args, engine, rate, seconds, profiler, prof_dir, label)

    return load


async def _fixed_load(system: System, watcher: CaseWatcher, client: httpx.AsyncClient,
                      rate: int, seconds: float, profiler: Profiler | None, prof_dir: Path,
                      label: str) -> dict[str, Any]:  # fmt: skip
    """One fixed-load run on a quiet ``system``, with the cores each process used."""
    settle = await system.settle()
    if profiler is not None:
        profiler.start(system.pids, prof_dir, label)
    before, bench_before, t0 = system.cpu_seconds(), time.process_time(), time.time()
    machine_before = machine_cpu()
    res = await phases.fixed_load(client, system, watcher, rate, seconds)
    if profiler is not None:
        res["profile"] = profiler.stop()
    used, wall = system.cpu_since(before), time.time() - t0
    machine_after = machine_cpu()
    # Cores each process used over the offered load and its drain (the load generator and
    # the case watcher run in this process: "bench"), then the rest of the machine ("other")
    # and the cores the hypervisor took away ("steal").
    cores = {k: v / wall for k, v in used.items()}
    cores["bench"] = (time.process_time() - bench_before) / wall
    busy = (machine_after[0] - machine_before[0]) / wall
    cores["other"] = max(0.0, busy - sum(cores.values()))
    cores["steal"] = (machine_after[1] - machine_before[1]) / wall
    res["cores"] = {k: round(v, 2) for k, v in cores.items()}
    res["settle_s"] = settle
    return res


async def _fresh_fixed_load(args: argparse.Namespace, engine: Engine, rate: int, seconds: float,
                            profiler: Profiler | None, prof_dir: Path,
                            label: str) -> dict[str, Any]:  # fmt: skip
    """:func:`_fixed_load` on a system of its own, started for it and stopped after it: the
    embedded broker's fetches slow down with every batch it holds (docs/performance.md), so
    a load measured after other loads would measure their history."""
    async with System(_extra_env(args), engine) as system:
        await system.start_services()
        watcher = CaseWatcher(system.bootstrap, posts=args.ingest_split)
        await watcher.start()
        try:
            async with httpx.AsyncClient(headers=system.auth, timeout=60) as client:
                await phases.raise_capacity(client, system)
                res = await _fixed_load(
                    system, watcher, client, rate, seconds, profiler, prof_dir, label
                )
        finally:
            await watcher.stop()
        res["peak_rss_mb"] = peak_rss_mb(system.pids)
        return res


async def _knee(load: Loader, args: argparse.Namespace) -> dict[str, Any]:
    """The highest offered load whose p99 stays under ``--knee-target-ms`` (bench.knee)."""

    async def probe(rate: int) -> dict[str, Any]:
        print(f"knee: {rate}/s for {args.knee_seconds}s…", flush=True)
        return await load(rate, args.knee_seconds, f"knee{rate}")

    return await find_knee(
        probe,
        low=args.knee_low,
        high=args.knee_high,
        target_ms=args.knee_target_ms,
        steps=args.knee_steps,
    )


async def _throughput(client: httpx.AsyncClient, system: System, watcher: CaseWatcher,
                      args: argparse.Namespace, phase: str,
                      i: int) -> tuple[dict[str, Any], dict[str, int]]:  # fmt: skip
    """One run of a throughput phase on a quiet system, with the CPU each process spent per
    post (including the drain after it)."""
    await system.settle()
    before, machine_before, t0 = system.cpu_seconds(), machine_cpu(), time.time()
    run = f" (run {i + 1}/{args.repeat})" if args.repeat > 1 else ""
    if phase == "batches":
        print(f"end-to-end throughput: {args.posts} posts in batches{run}…", flush=True)
        res = await phases.throughput_batches(
            client, system, watcher, args.posts, args.batch, args.senders
        )
    else:
        print(f"end-to-end throughput: {args.webhooks} platform webhooks{run}…", flush=True)
        res = await phases.throughput_webhooks(
            client, system, watcher, args.webhooks, args.webhook_senders
        )
    await system.settle()  # the CPU the phase caused, including the drain
    used, machine_after = system.cpu_since(before), machine_cpu()
    # Cores taken away by the hypervisor over the run and its drain (see machine_cpu).
    res["steal_cores"] = round((machine_after[1] - machine_before[1]) / (time.time() - t0), 2)
    posts = max(1, res.get("posts", 1))
    return res, {k: round(1e6 * v / posts) for k, v in used.items()}


def _median_run(
    runs: list[tuple[dict[str, Any], dict[str, int]]],
) -> tuple[dict[str, Any], dict[str, int]]:
    """The run with the median end-to-end rate, with every run's rate and the range; CPU per
    post is the median of each process over the runs."""
    ordered = sorted(runs, key=lambda r: r[0].get("e2e_to_routed_posts_per_s", 0))
    res = dict(ordered[len(ordered) // 2][0])
    if len(runs) > 1:
        for key in ("e2e_to_routed_posts_per_s", "e2e_to_analytics_posts_per_s"):
            values = [r[0][key] for r in runs if key in r[0]]
            if values:
                res[key + "_runs"] = values
        res["complete"] = all(r[0].get("complete") for r in runs)
        res["cpu_us_per_post_runs"] = [c for _, c in runs]
    names = {k for _, c in runs for k in c}
    cpu = {k: int(statistics.median(c[k] for _, c in runs if k in c)) for k in sorted(names)}
    return res, cpu


def _ratio(results: dict[str, Any]) -> None:
    base = results.get("baseline", {}).get("produce_consume_per_s")
    e2e = results.get("throughput", {}).get("e2e_to_routed_posts_per_s")
    if base and e2e:
        results["ratio_e2e_to_transport"] = round(e2e / base, 3)
        results["saturation_posts_per_s"] = e2e
