"""`chorus run`: the embedded default — broker, topics, four services, demo traffic, live summary.

A service that dies is restarted with back-off (chorus_cli.supervise). Ctrl-C (or SIGTERM)
stops every process this command started, at any moment, start-up included.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
from pathlib import Path
from typing import Any

from chorus_common.auth import create_token
from chorus_common.priority import allowed_cpus
from chorus_common.settings import CommonSettings
from chorus_common.settings_errors import load_settings

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
from chorus_cli.run_demo import demo_tasks, start_sandbox
from chorus_cli.run_settings import (
    DEFAULT_PORTS,
    routing_path_affinity,
    run_ports,
    service_database_urls,
    service_env,
)
from chorus_cli.signin import (
    IdPHandle,
    console_config,
    sign_in_lines,
    start_console,
)
from chorus_cli.signin import service_env as signin_env
from chorus_cli.summary import summaries
from chorus_cli.supervise import Supervisor

__all__ = ["register", "routing_path_affinity", "run", "service_env"]

# A service that exits is reported at once; one still starting on a busy machine is waited for.
START_TIMEOUT_S = 240.0


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("run", help="start the whole system locally")
    p.add_argument("--no-demo", action="store_true", help="start without the demo traffic")
    p.add_argument("--var", default="var", help="state directory (SQLite files, logs, token)")
    p.add_argument("--broker-port", type=int, default=9092)
    p.add_argument("--summary-every", type=float, default=5.0, help="seconds between summaries")
    p.add_argument("--demo-rate", type=float, default=2.0, help="demo posts per second")
    p.add_argument("--no-idp", action="store_true", help="without the development OpenID provider")
    p.add_argument("--no-console", action="store_true", help="without the web console")
    p.add_argument(
        "--port",
        action="append",
        default=[],
        metavar="NAME=PORT",
        help=f"another port for one of: {', '.join(DEFAULT_PORTS)} (repeatable)",
    )
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


def run(args: argparse.Namespace) -> int:
    demo = not args.no_demo and os.environ.get("DEMO", "1") != "0"
    settings = load_settings(CommonSettings)
    own_urls = service_database_urls(os.environ)
    ports = run_ports(args.port)
    return asyncio.run(_Run(args, demo, settings, own_urls, ports).main())


class _Run:
    """One `chorus run`: what it started, so that stopping stops all of it."""

    def __init__(
        self,
        args: argparse.Namespace,
        demo: bool,
        settings: CommonSettings,
        own_urls: dict[str, str],
        ports: dict[str, int],
    ) -> None:
        self.args, self.demo, self.settings, self.own_urls = args, demo, settings, own_urls
        self.ports = ports
        self.var = Path(args.var).resolve()
        self.urls = {n: f"http://127.0.0.1:{ports[n]}" for n in SERVICES}
        self.broker_proc: subprocess.Popen[bytes] | None = None
        self.pg: PgServer | None = None
        self.services: list[ServiceProcess] = []
        self.extras: list[ServiceProcess] = []  # sandbox, console
        self.supervisor: Supervisor | None = None
        self.idp = None if args.no_idp else IdPHandle(self.var, ports["idp"], ports["console"])
        self.stop = asyncio.Event()

    def wanted_ports(self) -> list[int]:
        names = [*SERVICES, *(("sandbox", "smtp") if self.demo else ())]
        names += [] if self.args.no_idp else ["idp"]
        names += [] if self.args.no_console else ["console"]
        return [self.ports[n] for n in names]

    async def main(self) -> int:
        (self.var / "log").mkdir(parents=True, exist_ok=True)
        loop = asyncio.get_running_loop()
        main = asyncio.current_task()
        received: list[int] = []

        def on_signal(sig: int) -> None:
            received.append(sig)
            self.stop.set()
            if self.supervisor is None and main is not None:
                main.cancel()  # still starting: stop waiting for the broker, databases, services

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal, sig)
        busy = [p for p in self.wanted_ports() if _port_busy(p)]
        if busy:
            print(f"ports already in use: {busy} — is another `make run` still running?")
            return 1
        tasks: list[asyncio.Task[Any]] = []
        try:
            return await self._start_and_wait(tasks)
        except asyncio.CancelledError:
            if not received:
                raise
            return 128 + received[0]
        finally:
            await self._stop_everything(tasks)

    async def _start_and_wait(self, tasks: list[asyncio.Task[Any]]) -> int:
        idp = asyncio.create_task(asyncio.to_thread(self.idp.start)) if self.idp else None
        bootstrap = await self._broker()
        if bootstrap is None:
            return 1
        db_urls = await self._databases()
        secret = self.settings.token_secret.get_secret_value()
        admin = create_token(secret, sub="admin", role="admin", issuer=self.settings.token_issuer)
        token_path = self.var / "admin.token"
        fd = os.open(token_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(admin + "\n")
        issuer = await idp if idp is not None else None
        if not await self._services(bootstrap, db_urls, issuer):
            return 1
        console = await self._console(issuer)
        print()
        for svc in self.services:
            print(f"{svc.name:<10}{svc.url}/docs   metrics {svc.url}/metrics")
        for line in sign_in_lines(issuer, console):
            print(line)
        print(
            f'admin token in {token_path}   (curl -H "Authorization: Bearer $(cat {token_path})" …)'
        )
        print(f"logs in {self.var / 'log'}   —   Ctrl-C stops everything\n")
        self.supervisor = Supervisor([*self.services, *([console] if console else [])])
        if self.demo:
            tasks += demo_tasks(self.urls, admin, secret, self.stop, self.args.demo_rate)
        tasks.append(asyncio.create_task(self.supervisor.run(self.stop)))
        tasks.append(
            asyncio.create_task(
                summaries(self.urls, admin, self.stop, self.args.summary_every, self.supervisor)
            )
        )
        await self.stop.wait()
        return 0

    async def _broker(self) -> str | None:
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            if _port_busy(self.args.broker_port):
                print(
                    f"port {self.args.broker_port} is busy; set KAFKA_BOOTSTRAP_SERVERS or free it"
                )
                return None
            self.broker_proc = start_broker(self.args.broker_port, self.var / "log" / "broker.log")
            bootstrap = f"127.0.0.1:{self.args.broker_port}"
            print(f"broker    Tansu (embedded, memory storage) on {bootstrap}")
        else:
            print(f"broker    {bootstrap} (from KAFKA_BOOTSTRAP_SERVERS)")
        created = await provision_topics(
            bootstrap,
            partitions=self.settings.topic_partitions,
            replication_factor=self.settings.topic_replication_factor,
            timeout_s=self.settings.dependency_wait_seconds,
        )
        print(f"topics    provisioned ({len(created)} created)")
        return bootstrap

    async def _databases(self) -> dict[str, str]:
        if not self.args.postgres:
            return {n: f"sqlite+aiosqlite:///{self.var}/{n}.db" for n in SERVICES}
        self.pg = await asyncio.to_thread(start_dev_postgres, self.var)
        urls = await ensure_databases(self.pg, SERVICES)
        print(f"database  PostgreSQL on 127.0.0.1:{self.pg.port} (data in {self.pg.root})")
        return urls

    async def _services(self, bootstrap: str, db_urls: dict[str, str], issuer: str | None) -> bool:
        common_env = service_env(bootstrap, os.environ)
        console_port = None if self.args.no_console else self.ports["console"]
        common_env |= signin_env(issuer, console_port)
        if "CORS_ALLOW_ORIGINS" in os.environ:  # an operator's own origins win
            common_env["CORS_ALLOW_ORIGINS"] = os.environ["CORS_ALLOW_ORIGINS"]
        # The router owns the directory: who a token's member is, which teams exist.
        router_url = os.environ.get("ROUTER_URL", self.urls["router"])
        common_env["ROUTER_URL"] = router_url
        common_env["RESPONDER_ROUTER_URL"] = os.environ.get("RESPONDER_ROUTER_URL", router_url)
        sandbox = None
        if self.demo:
            common_env["RESPONDER_PLATFORM_BASE_URL"] = f"http://127.0.0.1:{self.ports['sandbox']}"
            common_env["RESPONDER_SMTP_HOST"] = "127.0.0.1"
            common_env["RESPONDER_SMTP_PORT"] = str(self.ports["smtp"])
            sandbox = start_sandbox(self.var, self.ports["sandbox"], self.ports["smtp"])
            self.extras += [sandbox] if sandbox else []
        pins = routing_path_affinity(os.environ, allowed_cpus())
        for name in SERVICES:
            env = dict(common_env)
            if name in pins:
                env["CPU_AFFINITY"] = pins[name]
            env["DATABASE_URL"] = self.own_urls.get(name, db_urls[name])
            self.services.append(
                start_service(name, port=self.ports[name], env=env, log_dir=self.var / "log")
            )
        for svc in self.services:
            try:
                await asyncio.to_thread(wait_ready, svc, START_TIMEOUT_S)
            except ServiceExited as exc:
                print(f"chorus run: {exc}", flush=True)
                return False
        if sandbox is not None:
            await asyncio.to_thread(wait_ready, sandbox, 30.0, "/healthz")
        return True

    async def _console(self, issuer: str | None) -> ServiceProcess | None:
        """The console, supervised once it answers; a console that cannot start is one line."""
        if self.args.no_console:
            return None
        config = console_config(issuer, self.urls)
        console = start_console(self.var, self.ports["console"], config)
        if console is None:
            return None
        self.extras.append(console)
        try:
            await asyncio.to_thread(wait_ready, console, 120.0, "/config.json")
        except (ServiceExited, TimeoutError) as exc:
            print(f"console   not started: {exc}")
            return None
        self.extras.remove(console)
        return console

    async def _stop_everything(self, tasks: list[asyncio.Task[Any]]) -> None:
        self.stop.set()
        print("\nstopping…")
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(BaseException):
                await t
        running = self.supervisor.services if self.supervisor is not None else self.services
        stop_all([*running, *self.extras])
        if self.idp is not None:
            self.idp.close()
        if self.broker_proc is not None:
            stop_process(self.broker_proc)
        if self.pg is not None:
            self.pg.stop()
        print("stopped.")
