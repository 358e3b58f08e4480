"""The system under test: the embedded broker and the four services, started like `make run`."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import psutil
from chorus_cli.embedded import free_port, start_broker, stop_process
from chorus_cli.kafka_server import KafkaCluster, start_kafka
from chorus_cli.pg import ensure_databases
from chorus_cli.pgserver import PgServer, start_postgres
from chorus_cli.procs import SERVICES, ServiceProcess, start_service, stop_all, wait_ready
from chorus_cli.provisioning import provision_topics
from chorus_cli.run import routing_path_affinity
from chorus_common.auth import create_token
from chorus_common.priority import allowed_cpus
from chorus_common.settings import DEV_TOKEN_SECRET

from bench.engines import Engine

ENV_COMMON: dict[str, str] = {
    "LOG_LEVEL": "WARNING",
    "RATE_LIMIT_PER_MINUTE": "10000000",
    "MAX_BODY_BYTES": str(8 * 1_048_576),
}


def _own_env(extra: Mapping[str, str], service: str) -> dict[str, str]:
    """The ``service:KEY`` entries of ``extra`` for ``service``, as ``KEY``."""
    prefix = f"{service}:"
    return {k[len(prefix) :]: v for k, v in extra.items() if k.startswith(prefix)}


def machine_cpu() -> tuple[float, float]:
    """(busy, stolen) CPU seconds of the whole machine so far, over all cores.

    On a virtual machine "steal" is time a core was ready to run but the host ran something
    else: a phase with a lot of it ran on less CPU than it seemed, and its figures are slower
    without any change in the code."""
    t = psutil.cpu_times()
    steal = getattr(t, "steal", 0.0)
    busy = sum(t) - t.idle - getattr(t, "iowait", 0.0) - steal
    return busy, steal


class System:
    """Broker + services in a temporary directory; ``async with System() as s: …``."""

    def __init__(
        self, extra_env: Mapping[str, str] | None = None, engine: Engine | None = None
    ) -> None:
        self.engine = engine or Engine()
        self.var = Path(tempfile.mkdtemp(prefix="chorus-bench-"))
        self.kafka: KafkaCluster | None = None
        self.pg: PgServer | None = None
        self.db_urls = {n: f"sqlite+aiosqlite:///{self.var}/{n}.db" for n in SERVICES}
        self.port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.extra_env = dict(extra_env or {})
        self.services: list[ServiceProcess] = []
        self.idle_cpu = 0.0
        # Free ports, so a `make run` on 8001-8004 does not collide with the benchmark.
        self.ports = {name: free_port() for name in SERVICES}
        self.broker: subprocess.Popen[bytes] | None = None
        self.token = create_token(
            os.environ.get("TOKEN_SECRET", DEV_TOKEN_SECRET), sub="bench", role="admin"
        )

    async def start_broker(self) -> None:
        if self.engine.kafka:
            self.kafka = await asyncio.to_thread(start_kafka, self.var / "kafka", 1)
            self.bootstrap = self.kafka.bootstrap
        else:
            self.broker = start_broker(self.port, self.var / "broker.log")
        await provision_topics(self.bootstrap, partitions=4, replication_factor=1)

    async def start_database(self) -> None:
        """PostgreSQL, one database per service (its own directory: under root the server
        runs as another user, who cannot enter ``var``)."""
        root = Path(tempfile.mkdtemp(prefix="chorus-bench-pg-"))
        self.pg = await asyncio.to_thread(start_postgres, root)
        self.db_urls = await ensure_databases(self.pg, SERVICES)

    async def start_services(self) -> None:
        env_common = {
            **ENV_COMMON,
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            **self.engine.service_env(),
            **self._shared_env(),
        }
        pins = self.pins()
        for name, p in self.ports.items():
            env = {**env_common, "DATABASE_URL": self.db_urls[name]}
            if name in pins:
                env["CPU_AFFINITY"] = pins[name]
            env.update(_own_env(self.extra_env, name))
            self.services.append(start_service(name, port=p, env=env, log_dir=self.var / "log"))
        for svc in self.services:
            await asyncio.to_thread(wait_ready, svc, 90.0)
        await asyncio.sleep(2.0)  # start-up work (seeding, first polls) settles
        self.idle_cpu = await self._cpu_rate(3.0)

    def pins(self) -> dict[str, str]:
        """``CPU_AFFINITY`` per service, as `chorus run` gives it (``--env
        PIN_ROUTING_PATH=0`` for the A/B without)."""
        return routing_path_affinity({**os.environ, **self._shared_env()}, allowed_cpus())

    def _shared_env(self) -> dict[str, str]:
        """The ``--env`` settings for every service (``service:KEY`` ones are one service's)."""
        return {k: v for k, v in self.extra_env.items() if ":" not in k}

    async def _cpu_rate(self, seconds: float) -> float:
        """CPU seconds per second used by the services and broker together."""
        before = self.cpu_seconds()
        await asyncio.sleep(seconds)
        now = self.cpu_seconds()
        return sum(now.get(k, 0.0) - v for k, v in before.items()) / seconds

    @property
    def auth(self) -> dict[str, str]:
        """The admin bearer-token header the benchmark's requests carry."""
        return {"Authorization": f"Bearer {self.token}"}

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def pids(self) -> dict[str, int]:
        pids = {s.name: s.proc.pid for s in self.services}
        if self.broker is not None:
            pids["broker"] = self.broker.pid
        if self.kafka is not None and (proc := self.kafka.nodes[0].proc) is not None:
            pids["broker"] = proc.pid
        if self.pg is not None and (pid := _postmaster(self.pg)) is not None:
            pids["postgres"] = pid
        return pids

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) used so far by each process."""
        out: dict[str, float] = {}
        for name, pid in self.pids.items():
            try:
                proc = psutil.Process(pid)
                # PostgreSQL works in one backend process per connection.
                procs = [proc, *proc.children(recursive=True)] if name == "postgres" else [proc]
                out[name] = sum(t.user + t.system for t in (p.cpu_times() for p in procs))
            except psutil.Error:
                continue
        return out

    def cpu_since(self, before: Mapping[str, float]) -> dict[str, float]:
        """CPU seconds each process used since ``before`` (a :meth:`cpu_seconds` reading)."""
        return {k: v - before.get(k, 0.0) for k, v in self.cpu_seconds().items()}

    async def settle(self, *, timeout: float = 180.0) -> float:
        """Wait until the services and broker are idle (backlogs drained); returns seconds waited.

        Idle: over the last second they used no more CPU than at rest after start-up (background
        jobs, polls) plus 5 % of a core. Phases are measured on a quiet system, not on the
        previous phase's backlog.
        """
        started = time.monotonic()
        limit = self.idle_cpu * 1.5 + 0.05
        while time.monotonic() - started < timeout:
            if await self._cpu_rate(1.0) <= limit:
                break
        return round(time.monotonic() - started, 1)

    async def __aenter__(self) -> System:
        # Dirty pages of earlier runs (their databases) flushed now, not during this one.
        await asyncio.to_thread(os.sync)
        await self.start_broker()
        if self.engine.postgres:
            await self.start_database()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        stop_all(self.services)
        if self.broker is not None:
            stop_process(self.broker)
        if self.kafka is not None:
            await asyncio.to_thread(self.kafka.stop)
        if self.pg is not None:
            await asyncio.to_thread(self.pg.stop)
        if os.environ.get("BENCH_KEEP") != "1":  # the databases and logs, unless asked to keep
            shutil.rmtree(self.var, ignore_errors=True)
            if self.pg is not None:
                shutil.rmtree(self.pg.root, ignore_errors=True)


def _postmaster(pg: PgServer) -> int | None:
    """The server's main process id (the first line of its ``postmaster.pid``)."""
    try:
        return int((pg.data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
