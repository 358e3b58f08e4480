"""The ``floor`` phase: the same loads as ``latency`` and ``batches``, on the floor processes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from chorus_cli.procs import start_service, wait_ready

from bench import phases
from bench.system import System
from bench.watch import CaseWatcher

FLOOR = {"ingest": "bench.floor.ingest", "router": "bench.floor.router"}


class FloorSystem(System):
    """The embedded broker and the two floor processes, started and measured like the real
    system (same temporary directory layout, CPU accounting, settling)."""

    async def start_services(self) -> None:
        pins = self.pins()
        for name, module in FLOOR.items():
            env = {
                **self.extra_env,
                **({"CPU_AFFINITY": pins[name]} if name in pins else {}),
                "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
                "DATABASE_URL": f"sqlite+aiosqlite:///{self.var}/floor-{name}.db",
            }
            self.services.append(
                start_service(
                    name, port=self.ports[name], env=env, log_dir=self.var / "log", module=module
                )
            )
        for svc in self.services:
            await asyncio.to_thread(wait_ready, svc, 60.0)
        await asyncio.sleep(1.0)
        self.idle_cpu = await self._cpu_rate(2.0)


@asynccontextmanager
async def running(
    steps: str = "",
) -> AsyncIterator[tuple[System, CaseWatcher, httpx.AsyncClient]]:
    """A fresh floor system with Chorus's ``steps`` added back (``FLOOR_STEPS``), settled,
    with its case watcher and an HTTP client."""
    async with FloorSystem({"FLOOR_STEPS": steps}) as system:
        await system.start_services()
        watcher = CaseWatcher(system.bootstrap)
        await watcher.start()
        try:
            async with httpx.AsyncClient(timeout=60) as client:
                await system.settle()
                yield system, watcher, client
        finally:
            await watcher.stop()


async def floor(loads: list[int], seconds: float, posts: int, batch: int, senders: int,
                steps: str = "") -> dict[str, Any]:  # fmt: skip
    """Fixed loads (each on a fresh floor system), then batches on one more."""
    out: dict[str, Any] = {"steps": steps, "latency": []}
    for rate in loads:
        print(f"floor[{steps}]: fixed load {rate}/s for {seconds}s…", flush=True)
        async with running(steps) as (system, watcher, client):
            before = system.cpu_seconds()
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            res = await phases.fixed_load(client, system, watcher, rate, seconds)
            wall = loop.time() - t0
            used = system.cpu_since(before)
            res["cores"] = {k: round(v / wall, 2) for k, v in used.items()}
        out["latency"].append(res)
    if posts:
        print(f"floor[{steps}]: {posts} posts in batches of {batch}…", flush=True)
        async with running(steps) as (system, watcher, client):
            before = system.cpu_seconds()
            res = await phases.throughput_batches(client, system, watcher, posts, batch, senders)
            used = system.cpu_since(before)
            res["cpu_us_per_post"] = {k: round(v / posts * 1e6) for k, v in used.items()}
        out["throughput"] = res
    return out
