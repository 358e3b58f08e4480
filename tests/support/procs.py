"""A Chorus process started with a given environment, its stderr kept in a file to read."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# Variables of the test's own environment that would change what the process is tested on.
_CLEARED = ("KAFKA_", "DATABASE_URL", "TOPIC_", "ENVIRONMENT", "TOKEN_", "DEPENDENCY_", "PORT")


@dataclass
class Started:
    proc: subprocess.Popen[bytes]
    stderr_path: Path
    started: float

    def stderr_lines(self) -> list[str]:
        return self.stderr_path.read_text(errors="replace").splitlines()

    def wait(self, timeout_s: float) -> float:
        """The exit code's arrival, in seconds since the start (kills it at the deadline)."""
        try:
            self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError(
                f"still running after {timeout_s} s; stderr: {self.stderr_lines()[-5:]}"
            ) from None
        return time.monotonic() - self.started


def start(argv: list[str], env: dict[str, str], tmp_path: Path, name: str) -> Started:
    """``python argv…`` with the test's environment less Chorus' variables, plus ``env``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(_CLEARED)}
    stderr_path = tmp_path / f"{name}.stderr"
    with open(stderr_path, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, *argv],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**base, **env},
            cwd=tmp_path,
        )
    return Started(proc, stderr_path, time.monotonic())
