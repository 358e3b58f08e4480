"""A whole Chorus system as processes (like `make run`), for e2e and fault tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from chorus_cli.procs import SERVICES, ServiceProcess, start_service, stop_all, wait_ready
from chorus_common.embedded import free_port
from chorus_common.kafka_server import KafkaCluster

from tests.support.brokers import chorus_broker
from tests.support.fixtures import auth


@dataclass
class System:
    bootstrap: str
    var: Path
    db_urls: dict[str, str]
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self, name: str) -> dict[str, str]:
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "KAFKA_FETCH_MAX_WAIT_MS": "20",
            "KAFKA_SESSION_TIMEOUT_MS": "6000",
            "KAFKA_HEARTBEAT_INTERVAL_MS": "500",
            "OUTBOX_POLL_SECONDS": "0.2",
            "DATABASE_URL": self.db_urls[name],
            "ENVIRONMENT": "test",
            **self.router_url(),
            **self.extra_env,
        }

    def router_url(self) -> dict[str, str]:
        """Where the services find the router's directory, once a router runs (before: none)."""
        router = self.services.get("router")
        url = router.url if router is not None else ""
        return {"ROUTER_URL": url, "RESPONDER_ROUTER_URL": url}

    def start(
        self, name: str, *, instance: str | None = None, port: int | None = None
    ) -> ServiceProcess:
        key = instance or name
        # Free ports, not 8001-8004: tests must not collide with a running `make run` or bench.
        previous = self.services.get(key)
        svc = start_service(
            name,
            port=port or (previous.port if previous else free_port()),
            env=self.env(name),
            log_dir=self.var / "log" / key,
        )
        wait_ready(svc, 90.0)
        self.services[key] = svc
        return svc

    def url(self, key: str) -> str:
        return self.services[key].url

    def client(self, role: str = "admin", **kw: Any) -> httpx.Client:
        return httpx.Client(headers=auth(role, **kw), timeout=30)


@contextmanager
def system(
    tmp_path: Path,
    names: tuple[str, ...] = tuple(SERVICES),
    db: str = "sqlite",
    pg_urls: dict[str, str] | None = None,
    partitions: int = 4,
    kafka: KafkaCluster | None = None,
    extra_env: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[System]:
    """Start a broker (``chorus_broker``: Tansu, the session's Apache Kafka, or ``kafka``),
    provision the topics, start ``names`` — everything on free ports."""
    urls = (
        pg_urls
        if db == "postgresql" and pg_urls
        else {n: f"sqlite+aiosqlite:///{tmp_path}/{n}.db" for n in SERVICES}
    )
    with chorus_broker(tmp_path, partitions=partitions, kafka=kafka) as bootstrap:
        sysm = System(
            bootstrap=bootstrap,
            var=tmp_path,
            db_urls=urls,
            extra_env={**(extra_env or {}), **(env or {})},
        )
        try:
            for n in names:
                sysm.start(n)
            yield sysm
        except BaseException:
            _print_logs(sysm)
            raise
        finally:
            stop_all(list(sysm.services.values()))


def _print_logs(sysm: System) -> None:
    """On failure, show the end of every service log (pytest prints captured output)."""
    for key, svc in sysm.services.items():
        state = "running" if svc.alive() else f"exited {svc.proc.returncode}"
        tail = svc.log_path.read_text(errors="replace")[-4000:] if svc.log_path.exists() else ""
        print(f"----- {key} ({state}) {svc.log_path}\n{tail}")


def owns_partitions(url: str, topic: str) -> bool:
    """True once a service exports consumer lag for a partition of ``topic`` (it owns one)."""
    text = httpx.get(f"{url}/metrics", timeout=10).text
    return any(
        ln.startswith("chorus_consumer_lag") and f'topic="{topic}"' in ln
        for ln in text.splitlines()
    )
