"""Consume throughput of analytics on SQLite or PostgreSQL, with realistic mixed traffic.

``uv run python -m services.analytics.tests.analytics_bench [options]``

* ``--mode handler`` (default) times the consumer's batch handler alone on decoded
  envelopes, in batches of ``--batch`` (what analytics itself costs);
  ``--mode app`` pushes the encoded events through the in-memory bus and the consumer loop
  (adds envelope decoding, which lives in libs/common).
* ``--db sqlite|postgresql|URL``; ``postgresql`` creates and drops a scratch database.
* ``--profile out.html`` writes a pyinstrument profile of the timed part.
* ``--dump out.json`` writes every analytics table (sorted) so two versions of the code can
  be compared row for row on the same traffic.

Posts/s counts ``post.received`` events (each comes with ~2 case events and a few replies).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from chorus_analytics.app import create_app
from chorus_analytics.settings import AnalyticsSettings
from chorus_cli.pgserver import start_postgres
from chorus_common.messaging.bus.base import OutMessage
from chorus_common.messaging.bus.memory import MemoryBroker
from chorus_common.messaging.envelope import Envelope
from sqlalchemy import text

from services.analytics.tests.analytics_kit import encode
from services.analytics.tests.analytics_traffic import Traffic, check, generate, snapshot
from tests.support.fixtures import FAST_KAFKA_ENV, _pg_exec, running


@asynccontextmanager
async def database(kind: str) -> AsyncIterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite+aiosqlite:///{tmp}/bench.db"
    elif kind == "postgresql":
        name = f"chorus_bench_{uuid.uuid4().hex[:10]}"
        with tempfile.TemporaryDirectory(prefix="chorus-pg-") as tmp:
            server = start_postgres(Path(tmp))
            try:
                await _pg_exec(server.admin_dsn, f'CREATE DATABASE "{name}"')
                yield server.url(name)
            finally:
                server.stop()
    else:
        yield kind


async def _drive_handler(app: Any, events: list[Envelope], batch: int) -> None:
    handle = getattr(app.state, "batch_handler", None)
    if handle is None:  # code before the batch handler was exposed (step 0 of the table)
        handle = app.state.runtime._consumer_specs[0][3]
    for i in range(0, len(events), batch):
        await handle(events[i : i + batch])


async def _drive_app(app: Any, broker: MemoryBroker, msgs: list[OutMessage], batch: int) -> None:
    runtime = app.state.runtime
    fed = 0
    # Feed in arrival order with a bounded lag, so batches mix posts and case events.
    for i in range(0, len(msgs), batch):
        while fed - sum(c.handled for c in runtime.consumers) > 2 * batch:
            await asyncio.sleep(0.002)
        await broker.append(msgs[i : i + batch])
        fed += len(msgs[i : i + batch])
    while sum(c.handled for c in runtime.consumers) < len(msgs):
        await asyncio.sleep(0.002)


async def dump(app: Any, path: str) -> None:
    with open(path, "w") as f:
        json.dump(await snapshot(app), f, indent=0, default=str)


async def server_cpu(app: Any) -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend serving this database ({} on
    SQLite, whose work runs inside this process)."""
    runtime = app.state.runtime
    if runtime.dialect != "postgresql":
        return {}
    async with runtime.sessionmaker() as s:
        pids = (
            await s.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            )
        ).scalars()
        out: dict[int, float] = {}
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return out


@contextmanager
def profiled(path: str | None) -> Iterator[None]:
    """pyinstrument (wall clock; ``.html`` or text) or, for ``.prof``, cProfile on CPU time
    (the machine is shared: CPU time shows where this process spends, not where it waits)."""
    if not path:
        yield
    elif path.endswith(".prof"):
        prof = cProfile.Profile(time.process_time)
        prof.enable()
        yield
        prof.disable()
        prof.dump_stats(path)
    else:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="enabled")
        profiler.start()
        yield
        profiler.stop()
        with open(path, "w") as f:
            html = path.endswith(".html")
            f.write(profiler.output_html() if html else profiler.output_text(show_all=False))


async def bench(args: argparse.Namespace, traffic: Traffic) -> dict[str, float]:
    events = [Envelope.from_bytes(e.to_bytes()) for e in traffic.events]
    msgs = encode(traffic.events)  # app mode: the bytes on the bus
    # The pre-built traffic is not the service's heap: keep the cyclic GC from rescanning it.
    gc.collect()
    gc.freeze()
    async with database(args.db) as url:
        broker = MemoryBroker(partitions=4)
        settings = AnalyticsSettings(
            database_url=url,
            spike_check_seconds=0,
            metrics_refresh_seconds=0,
            consumer_enabled=args.mode == "app",
            kafka_max_poll_records=args.batch,
            **FAST_KAFKA_ENV,
        )
        app = create_app(settings, bus=broker)
        async with running(app):
            drive: Callable[[], Any] = (
                (lambda: _drive_handler(app, events, args.batch))
                if args.mode == "handler"
                else (lambda: _drive_app(app, broker, msgs, args.batch))
            )
            server = await server_cpu(app)
            with profiled(args.profile):
                wall, cpu = time.perf_counter(), time.process_time()
                await drive()
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            server = {pid: t - server.get(pid, 0.0) for pid, t in (await server_cpu(app)).items()}
            await check(app, traffic)
            if args.dump:
                await dump(app, args.dump)
    return {
        "posts_per_s": traffic.posts / wall,
        "events_per_s": len(traffic.events) / wall,
        "posts_per_cpu_s": traffic.posts / cpu,
        "posts_per_total_cpu_s": traffic.posts / (cpu + sum(server.values())),
        "wall_s": wall,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=5000)
    ap.add_argument("--db", default="sqlite", help="sqlite, postgresql or a database URL")
    ap.add_argument("--mode", choices=("handler", "app"), default="handler")
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=1, help="runs; the best is reported")
    ap.add_argument("--profile")
    ap.add_argument("--dump")
    args = ap.parse_args()
    traffic = generate(args.posts)
    runs = [asyncio.run(bench(args, traffic)) for _ in range(args.repeat)]
    best = max(runs, key=lambda r: r["posts_per_s"])
    each = ", ".join(f"{r['posts_per_s']:.0f}" for r in runs)
    print(
        f"{args.mode} {args.db.split(':')[0]} {traffic.posts} posts / {len(traffic.events)} "
        f"events, batch {args.batch}: {best['posts_per_s']:.0f} posts/s "
        f"({best['events_per_s']:.0f} events/s); per CPU-second: {best['posts_per_cpu_s']:.0f} "
        f"posts (this process), {best['posts_per_total_cpu_s']:.0f} (with the database server)"
        f" [runs: {each}]"
    )


if __name__ == "__main__":
    main()
