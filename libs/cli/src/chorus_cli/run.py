"""`chorus run`: the embedded default — broker, topics, four services, demo traffic, live summary.

Ctrl-C (or SIGTERM) stops every process this command started.
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

import httpx
from chorus_common.auth import create_token
from chorus_common.embedded import start_broker, stop_process
from chorus_common.priority import allowed_cpus
from chorus_common.provisioning import provision_topics
from chorus_common.settings import CommonSettings

from chorus_cli.procs import SERVICES, ServiceProcess, start_service, stop_all, wait_ready

SANDBOX_PORT = 8099
SMTP_PORT = 8025


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("run", help="start the whole system locally")
    p.add_argument("--no-demo", action="store_true", help="start without the demo traffic")
    p.add_argument("--var", default="var", help="state directory (SQLite files, logs, token)")
    p.add_argument("--broker-port", type=int, default=9092)
    p.add_argument("--summary-every", type=float, default=5.0, help="seconds between summaries")
    p.add_argument("--demo-rate", type=float, default=2.0, help="demo posts per second")
    p.set_defaults(func=run)


def _port_busy(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def service_env(bootstrap: str, environ: Mapping[str, str]) -> dict[str, str]:
    """Environment every service gets from `chorus run` (on top of the inherited one)."""
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_SESSION_TIMEOUT_MS": environ.get("KAFKA_SESSION_TIMEOUT_MS", "6000"),
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


def run(args: argparse.Namespace) -> int:
    demo = not args.no_demo and os.environ.get("DEMO", "1") != "0"
    return asyncio.run(_main(args, demo))


async def _main(args: argparse.Namespace, demo: bool) -> int:
    var = Path(args.var).resolve()
    (var / "log").mkdir(parents=True, exist_ok=True)
    settings = CommonSettings()
    broker_proc: subprocess.Popen[bytes] | None = None
    services: list[ServiceProcess] = []
    sandbox: ServiceProcess | None = None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

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
        )
        print(f"topics    provisioned ({len(created)} created)")

        secret = settings.token_secret.get_secret_value()
        admin = create_token(secret, sub="admin", role="admin", issuer=settings.token_issuer)
        token_path = var / "admin.token"
        fd = os.open(token_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(admin + "\n")

        common_env = service_env(bootstrap, os.environ)
        # The responder checks approval policies' teams against the router's directory.
        common_env["RESPONDER_ROUTER_URL"] = os.environ.get(
            "RESPONDER_ROUTER_URL", f"http://127.0.0.1:{SERVICES['router']}"
        )
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
            env["DATABASE_URL"] = os.environ.get(
                f"{name.upper()}_DATABASE_URL", f"sqlite+aiosqlite:///{var}/{name}.db"
            )
            services.append(start_service(name, port=port, env=env, log_dir=var / "log"))
        for svc in services:
            await asyncio.to_thread(wait_ready, svc, 90.0)
        if sandbox is not None:
            await asyncio.to_thread(wait_ready, sandbox, 30.0, "/healthz")

        print()
        for svc in services:
            print(f"{svc.name:<10}{svc.url}/docs   metrics {svc.url}/metrics")
        print(
            f'admin token in {token_path}   (curl -H "Authorization: Bearer $(cat {token_path})" …)'
        )
        print(f"logs in {var / 'log'}   —   Ctrl-C stops everything\n")

        if demo:
            tasks += _demo_tasks(admin, secret, stop)
        tasks.append(asyncio.create_task(_summaries(admin, stop, args.summary_every, services)))
        await stop.wait()
    finally:
        stop.set()
        print("\nstopping…")
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(BaseException):
                await t
        stop_all([*services, *([sandbox] if sandbox else [])])
        if broker_proc is not None:
            stop_process(broker_proc)
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


async def _summaries(
    admin: str, stop: asyncio.Event, every: float, services: list[ServiceProcess]
) -> None:
    headers = {"Authorization": f"Bearer {admin}"}
    async with httpx.AsyncClient(headers=headers, timeout=5) as client:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
            if stop.is_set():
                return
            dead = [s.name for s in services if not s.alive()]
            line = await summary_line(client)
            if dead:
                line += f" | DOWN: {', '.join(dead)} (see var/log)"
            print(line, flush=True)


async def summary_line(client: httpx.AsyncClient) -> str:
    """One line: posts in, cases open by team, replies — from analytics (router as fallback)."""
    parts: list[str] = []
    try:
        r = await client.get(f"http://127.0.0.1:{SERVICES['analytics']}/v1/reports/summary")
        s = r.json() if r.status_code == 200 else {}
    except (httpx.HTTPError, ValueError):
        s = {}
    posts = s.get("posts_total")
    parts.append(f"posts in {posts if posts is not None else '?'}")
    by_team = s.get("cases_open_by_team")
    if not by_team:
        by_team = await _open_cases_by_team(client)
    teams = " ".join(f"{t}={n}" for t, n in sorted((by_team or {}).items()))
    parts.append(f"open cases {teams or '-'}")
    parts.append(f"replies sent {s.get('replies_sent', 0)} failed {s.get('replies_failed', 0)}")
    dlq = s.get("dead_letters_total")
    if dlq is not None:
        parts.append(f"dlq {dlq}")
    return " | ".join(parts)


async def _open_cases_by_team(client: httpx.AsyncClient) -> dict[str, int]:
    try:
        r = await client.get(
            f"http://127.0.0.1:{SERVICES['router']}/v1/cases", params={"limit": 200}
        )
        items = r.json().get("items", []) if r.status_code == 200 else []
    except (httpx.HTTPError, ValueError, AttributeError):
        return {}
    out: dict[str, int] = {}
    for case in items:
        if case.get("status") not in ("resolved",):
            team = case.get("team") or "?"
            out[team] = out.get(team, 0) + 1
    return out
