"""`chorus run`: the embedded default — broker, topics, four services, demo traffic, live summary.

A service that dies is restarted with back-off (chorus_cli.supervise). Ctrl-C (or SIGTERM)
stops every process this command started, at any moment, start-up included.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import os
import signal
import socket
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chorus_common.addresses import check_database_url
from chorus_common.auth import create_token
from chorus_common.priority import allowed_cpus
from chorus_common.settings import CommonSettings
from chorus_common.settings_errors import ConfigError, load_settings

from chorus_cli.embedded import start_broker, stop_process
from chorus_cli.pg import ensure_databases, start_dev_postgres
from chorus_cli.pgserver import PgServer
from chorus_cli.procs import (
    SERVICES,
    ServiceExited,
    ServiceProcess,
    start_service,
    stop_all,
    wait_ready,
)
from chorus_cli.provisioning import provision_topics
from chorus_cli.summary import summaries
from chorus_cli.supervise import Supervisor

SANDBOX_PORT = 8099
SMTP_PORT = 8025


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("run", help="start the whole system locally")
    p.add_argument("--no-demo", action="store_true", help="start without the demo traffic")
    p.add_argument("--var", default="var", help="state directory (SQLite files, logs, token)")
    p.add_argument("--broker-port", type=int, default=9092)
    p.add_argument("--summary-every", type=float, default=5.0, help="seconds between summaries")
    p.add_argument("--demo-rate", type=float, default=2.0, help="demo posts per second")
    p.add_argument(
        "--postgres",
        action="store_true",
        help="run the services on a PostgreSQL server of its own under VAR/postgres "
        "(a <SERVICE>_DATABASE_URL in the environment still wins)",
    )
    p.set_defaults(func=run)


def _port_busy(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


CONSOLE_ORIGIN = "http://127.0.0.1:8080"


def service_env(bootstrap: str, environ: Mapping[str, str]) -> dict[str, str]:
    """Environment every service gets from `chorus run` (on top of the inherited one)."""
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_SESSION_TIMEOUT_MS": environ.get("KAFKA_SESSION_TIMEOUT_MS", "6000"),
        # The console `chorus run` serves calls the services from its own origin.
        "CORS_ALLOW_ORIGINS": environ.get("CORS_ALLOW_ORIGINS", CONSOLE_ORIGIN),
    }
    # Each service has its own fetch wait (router 20 ms; responder and analytics, which
    # gather anyway, longer); one set in the environment applies to all of them.
    if "KAFKA_FETCH_MAX_WAIT_MS" in environ:
        env["KAFKA_FETCH_MAX_WAIT_MS"] = environ["KAFKA_FETCH_MAX_WAIT_MS"]
    return env


# The routing path's two Python processes; `chorus run` gives each a CPU of its own.
PINNED = ("ingest", "router")


def routing_path_affinity(environ: Mapping[str, str], allowed: set[int]) -> dict[str, str]:
    """``CPU_AFFINITY`` per service: ingest and the router each pinned to a CPU of its own
    (chorus_common.priority says why), the others left to the scheduler. Nothing when fewer
    than two CPUs are allowed, when ``PIN_ROUTING_PATH=0``, or when ``CPU_AFFINITY`` is set
    in the environment (every service inherits that one)."""
    if environ.get("PIN_ROUTING_PATH", "1") == "0" or "CPU_AFFINITY" in environ:
        return {}
    if len(allowed) < 2:
        return {}
    return {name: str(cpu) for name, cpu in zip(PINNED, sorted(allowed), strict=False)}


def service_database_urls(environ: Mapping[str, str]) -> dict[str, str]:
    """The ``<SERVICE>_DATABASE_URL`` variables set, each checked (ConfigError naming it)."""
    urls: dict[str, str] = {}
    for name in SERVICES:
        variable = f"{name.upper()}_DATABASE_URL"
        if variable in environ:
            try:
                urls[name] = check_database_url(environ[variable])
            except ValueError as exc:
                raise ConfigError(f"invalid setting {variable}: {exc}") from None
    return urls


def run(args: argparse.Namespace) -> int:
    demo = not args.no_demo and os.environ.get("DEMO", "1") != "0"
    settings = load_settings(CommonSettings)
    own_urls = service_database_urls(os.environ)
    return asyncio.run(_main(args, demo, settings, own_urls))


async def _main(
    args: argparse.Namespace, demo: bool, settings: CommonSettings, own_urls: dict[str, str]
) -> int:
    var = Path(args.var).resolve()
    (var / "log").mkdir(parents=True, exist_ok=True)
    broker_proc: subprocess.Popen[bytes] | None = None
    pg: PgServer | None = None
    services: list[ServiceProcess] = []
    supervisor: Supervisor | None = None
    sandbox: ServiceProcess | None = None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    received: list[int] = []

    def on_signal(sig: int) -> None:
        received.append(sig)
        stop.set()
        if supervisor is None and main is not None:
            main.cancel()  # still starting: stop waiting for the broker, databases, services

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal, sig)

    busy = [p for p in (*SERVICES.values(), SANDBOX_PORT, SMTP_PORT) if _port_busy(p)]
    if busy:
        print(f"ports already in use: {busy} — is another `make run` still running?")
        return 1

    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    tasks: list[asyncio.Task[Any]] = []
    try:
        if not bootstrap:
            if _port_busy(args.broker_port):
                print(f"port {args.broker_port} is busy; set KAFKA_BOOTSTRAP_SERVERS or free it")
                return 1
            broker_proc = start_broker(args.broker_port, var / "log" / "broker.log")
            bootstrap = f"127.0.0.1:{args.broker_port}"
            print(f"broker    Tansu (embedded, memory storage) on {bootstrap}")
        else:
            print(f"broker    {bootstrap} (from KAFKA_BOOTSTRAP_SERVERS)")
        created = await provision_topics(
            bootstrap,
            partitions=settings.topic_partitions,
            replication_factor=settings.topic_replication_factor,
            timeout_s=settings.dependency_wait_seconds,
        )
        print(f"topics    provisioned ({len(created)} created)")
        db_urls = {n: f"sqlite+aiosqlite:///{var}/{n}.db" for n in SERVICES}
        if args.postgres:
            pg = await asyncio.to_thread(start_dev_postgres, var)
            db_urls = await ensure_databases(pg, SERVICES)
            print(f"database  PostgreSQL on 127.0.0.1:{pg.port} (data in {pg.root})")

        secret = settings.token_secret.get_secret_value()
        admin = create_token(secret, sub="admin", role="admin", issuer=settings.token_issuer)
        token_path = var / "admin.token"
        fd = os.open(token_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(admin + "\n")

        common_env = service_env(bootstrap, os.environ)
        # The router owns the directory: who a token's member is, which teams exist.
        router_url = os.environ.get("ROUTER_URL", f"http://127.0.0.1:{SERVICES['router']}")
        common_env["ROUTER_URL"] = router_url
        common_env["RESPONDER_ROUTER_URL"] = os.environ.get("RESPONDER_ROUTER_URL", router_url)
        if demo:
            common_env["RESPONDER_PLATFORM_BASE_URL"] = f"http://127.0.0.1:{SANDBOX_PORT}"
            common_env["RESPONDER_SMTP_HOST"] = "127.0.0.1"
            common_env["RESPONDER_SMTP_PORT"] = str(SMTP_PORT)
            sandbox = _start_sandbox(var)
        pins = routing_path_affinity(os.environ, allowed_cpus())
        for name, port in SERVICES.items():
            env = dict(common_env)
            if name in pins:
                env["CPU_AFFINITY"] = pins[name]
            env["DATABASE_URL"] = own_urls.get(name, db_urls[name])
            services.append(start_service(name, port=port, env=env, log_dir=var / "log"))
        for svc in services:
            try:
                await asyncio.to_thread(wait_ready, svc, 90.0)
            except ServiceExited as exc:
                print(f"chorus run: {exc}", flush=True)
                return 1
        if sandbox is not None:
            await asyncio.to_thread(wait_ready, sandbox, 30.0, "/healthz")

        print()
        for svc in services:
            print(f"{svc.name:<10}{svc.url}/docs   metrics {svc.url}/metrics")
        print(
            f'admin token in {token_path}   (curl -H "Authorization: Bearer $(cat {token_path})" …)'
        )
        print(f"logs in {var / 'log'}   —   Ctrl-C stops everything\n")

        supervisor = Supervisor(services)
        if demo:
            tasks += _demo_tasks(admin, secret, stop)
        tasks.append(asyncio.create_task(supervisor.run(stop)))
        tasks.append(asyncio.create_task(summaries(admin, stop, args.summary_every, supervisor)))
        await stop.wait()
    except asyncio.CancelledError:
        if not received:
            raise
        return 128 + received[0]
    finally:
        stop.set()
        print("\nstopping…")
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(BaseException):
                await t
        running = supervisor.services if supervisor is not None else services
        stop_all([*running, *([sandbox] if sandbox else [])])
        if broker_proc is not None:
            stop_process(broker_proc)
        if pg is not None:
            pg.stop()
        print("stopped.")
    return 0


def _start_sandbox(var: Path) -> ServiceProcess | None:
    """The local sandbox that plays every platform's outbound API for the demo."""
    try:
        importlib.import_module("chorus_cli.sandbox")
    except ImportError:
        return None
    return start_service(
        "sandbox", port=SANDBOX_PORT, env={}, log_dir=var / "log", module="chorus_cli.sandbox"
    )


def _demo_tasks(admin: str, secret: str, stop: asyncio.Event) -> list[asyncio.Task[Any]]:
    tasks: list[asyncio.Task[Any]] = []
    try:
        feed = importlib.import_module("chorus_cli.demo_feed")
        tasks.append(
            asyncio.create_task(
                feed.run_demo_feed(f"http://127.0.0.1:{SERVICES['ingest']}", admin, stop)
            )
        )
    except ImportError:
        print("demo feed not available")
    try:
        replies = importlib.import_module("chorus_cli.demo_replies")
        tasks.append(
            asyncio.create_task(
                replies.run_reply_demo(
                    f"http://127.0.0.1:{SERVICES['responder']}",
                    f"http://127.0.0.1:{SERVICES['router']}",
                    secret,
                    stop,
                )
            )
        )
    except ImportError:
        print("reply demo not available")
    return tasks
