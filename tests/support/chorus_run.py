"""`chorus run` as a child process for tests: every part on a free port, none of the caller's
broker, database or identity settings, its output in a file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from chorus_cli.embedded import free_port

_CLEARED = ("KAFKA_", "DATABASE_URL", "TOPIC_", "ENVIRONMENT", "TOKEN_", "OIDC_", "CORS_")


@dataclass
class Running:
    proc: subprocess.Popen[bytes]
    ports: dict[str, int]
    var: Path
    out: Path

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def said(self) -> str:
        return self.out.read_text(errors="replace")


def start(tmp: Path, names: Iterable[str], args: Iterable[str], env: Mapping[str, str]) -> Running:
    """Start `chorus run ARGS` with a free port for each of ``names`` and ``env`` added to a
    cleaned environment; its var/ and output (run.out) under ``tmp``."""
    ports = {name: free_port() for name in names}
    var = tmp / "var"
    argv = ["-m", "chorus_cli.main", "run", "--var", str(var), *args]
    argv += [f"--port={name}={port}" for name, port in ports.items()]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_CLEARED)}
    out = tmp / "run.out"
    with out.open("wb") as fh:
        # Its own session: stop() can end the whole tree if it does not end by itself.
        proc = subprocess.Popen(
            [sys.executable, *argv],
            stdout=fh,
            stderr=subprocess.STDOUT,
            env={**clean, **env},
            start_new_session=True,
        )
    return Running(proc, ports, var, out)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, as Ctrl-C would; its process group killed if it has not ended in a minute."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
