"""Start, watch and stop Chorus service processes (used by `chorus run`, e2e tests and bench)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SERVICES: dict[str, int] = {"ingest": 8001, "router": 8002, "responder": 8003, "analytics": 8004}

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM this child if the launcher dies, so nothing is left behind."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class ServiceExited(RuntimeError):
    """A service process ended while it was expected to come up."""


@dataclass
class ServiceProcess:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    module: str | None = None
    args: tuple[str, ...] = ()
    started_at: float = field(default_factory=time.monotonic)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def restarted(self) -> ServiceProcess:
        """The same service started again (same port, environment and log file)."""
        return start_service(
            self.name,
            port=self.port,
            env=self.env,
            log_dir=self.log_path.parent,
            module=self.module,
            args=self.args,
        )

    def last_line(self) -> str:
        """The last line of its log: what a service that could not start says there."""
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                fh.seek(max(0, fh.tell() - 4096))
                lines = fh.read().decode(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1][:300] if lines else ""

    def kill(self) -> None:
        """SIGKILL, no goodbye: what a crash looks like."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout_s: float = 15.0) -> None:
        if self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


def start_service(
    name: str,
    *,
    port: int,
    env: dict[str, str],
    log_dir: Path,
    module: str | None = None,
    args: tuple[str, ...] = (),
) -> ServiceProcess:
    """Start ``python -m chorus_<name>`` (or ``module`` with ``args``) in its own process group,
    logging to log_dir/<name>.log."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    full_env = {**os.environ, **env, "PORT": str(port)}
    with open(log_path, "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", module or f"chorus_{name}", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=full_env,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    return ServiceProcess(name, port, proc, log_path, env, module, args)


def wait_ready(svc: ServiceProcess, timeout_s: float = 60.0, path: str = "/readyz") -> None:
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while time.monotonic() < deadline:
        if not svc.alive():
            raise ServiceExited(
                f"{svc.name} exited ({exit_reason(svc.proc.returncode)}): {svc.last_line()}"
            )
        try:
            r = httpx.get(svc.url + path, timeout=2)
            if r.status_code == 200:
                return
            last = f"{r.status_code} {r.text[:200]}"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.1)
    raise TimeoutError(f"{svc.name} not ready after {timeout_s}s: {last}")


def exit_reason(code: int | None) -> str:
    """``exit 69`` or ``killed by SIGKILL``."""
    if code is None:
        return "running"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit {code}"


def stop_all(services: list[ServiceProcess]) -> None:
    for svc in services:
        if svc.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(svc.proc.pid, signal.SIGTERM)
    for svc in services:
        svc.stop()
