"""`chorus run` keeps its services running: one that dies is started again, with back-off.

A service that exits (crash, SIGKILL, a dependency still unreachable after
DEPENDENCY_WAIT_SECONDS) is restarted after 1 s; each further death within a minute of its
start doubles the wait, up to 30 s, so a crash loop costs little; a minute up starts the
count over. A service that exits 78 (a setting that can never work) is not restarted: the
same settings would fail again. Each event is one printed line, and the summary says which
services are restarting or down.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from chorus_common.settings_errors import EX_CONFIG

from chorus_cli.procs import ServiceProcess, exit_reason, wait_ready

RESTART_FIRST_S = 1.0
RESTART_MAX_S = 30.0
STABLE_S = 60.0
READY_TIMEOUT_S = 90.0


@dataclass
class Watched:
    svc: ServiceProcess
    restarts: int = 0
    failures: int = 0  # deaths in a row, each within STABLE_S of its start
    restart_at: float | None = None
    delay: float = 0.0
    given_up: str | None = None


class Supervisor:
    """Watches service processes; restarts the dead ones (``check`` is one pass)."""

    def __init__(
        self,
        services: list[ServiceProcess],
        *,
        first_s: float = RESTART_FIRST_S,
        max_s: float = RESTART_MAX_S,
        stable_s: float = STABLE_S,
        say: Callable[[str], None] = print,
    ) -> None:
        self.watched = [Watched(svc) for svc in services]
        self.first_s, self.max_s, self.stable_s = first_s, max_s, stable_s
        self.say = say
        self.delays: dict[str, list[float]] = {svc.name: [] for svc in services}
        self._ready_checks: set[asyncio.Task[None]] = set()

    @property
    def services(self) -> list[ServiceProcess]:
        """The processes as they are now (restarted ones replace the dead)."""
        return [w.svc for w in self.watched]

    def check(self) -> list[ServiceProcess]:
        """Notice deaths and start what is due; returns the processes started in this pass."""
        now = time.monotonic()
        started: list[ServiceProcess] = []
        for w in self.watched:
            if w.given_up is not None:
                continue
            if w.restart_at is None:
                if not w.svc.alive():
                    self._died(w, now)
            elif now >= w.restart_at:
                w.svc = w.svc.restarted()
                w.restarts += 1
                w.restart_at = None
                self.say(f"{w.svc.name:<10}restarted (restart {w.restarts}, pid {w.svc.proc.pid})")
                started.append(w.svc)
        return started

    def _died(self, w: Watched, now: float) -> None:
        code = w.svc.proc.returncode
        up = now - w.svc.started_at
        said = w.svc.last_line() if code is not None and code > 0 else ""
        why = f"{exit_reason(code)} after {up:.0f} s" + (f": {said}" if said else "")
        if code == EX_CONFIG:
            w.given_up = f"configuration error (see {w.svc.log_path})"
            self.say(f"{w.svc.name:<10}{why} — not restarted: fix the setting and run again")
            return
        w.failures = w.failures + 1 if up < self.stable_s else 1
        w.delay = min(self.first_s * 2 ** (w.failures - 1), self.max_s)
        w.restart_at = now + w.delay
        self.delays[w.svc.name].append(w.delay)
        self.say(f"{w.svc.name:<10}{why} — restarting in {w.delay:g} s")

    def status(self) -> str:
        """What the summary line adds: services restarting, given up, or restarted so far."""
        parts: list[str] = []
        now = time.monotonic()
        for w in self.watched:
            if w.given_up is not None:
                parts.append(f"{w.svc.name} DOWN: {w.given_up}")
            elif w.restart_at is not None:
                parts.append(f"{w.svc.name} restarting in {max(w.restart_at - now, 0):.0f} s")
            elif w.restarts:
                parts.append(f"{w.svc.name}: {w.restarts} restart{'s' if w.restarts > 1 else ''}")
        return " | ".join(parts)

    async def run(self, stop: asyncio.Event, every_s: float = 0.5) -> None:
        """Check every ``every_s`` until ``stop``; say when a restarted service is ready."""
        try:
            while not stop.is_set():
                for svc in self.check():
                    task = asyncio.create_task(self._say_when_ready(svc))
                    self._ready_checks.add(task)
                    task.add_done_callback(self._ready_checks.discard)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), every_s)
        finally:
            for task in list(self._ready_checks):
                task.cancel()

    async def _say_when_ready(self, svc: ServiceProcess) -> None:
        try:
            await asyncio.to_thread(wait_ready, svc, READY_TIMEOUT_S)
        except (RuntimeError, TimeoutError):
            return  # a death is the next pass's news
        self.say(f"{svc.name:<10}ready again")
