"""`chorus run`'s supervisor: a service that dies is restarted, with back-off when it keeps
dying, not at all after a configuration error, and the summary says so."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from chorus_cli.procs import ServiceProcess, stop_all
from chorus_cli.supervise import Supervisor

from tests.support.system import system
from tests.support.wait import wait_for


@dataclass
class Scripted(ServiceProcess):
    """A process that lives ``life_s`` seconds, says ``says`` and exits ``code``, each time."""

    code: int = 1
    life_s: float = 0.0
    says: str = ""

    def restarted(self) -> Scripted:
        return scripted(self.name, self.log_path, self.code, self.life_s, self.says)


def scripted(name: str, log_path: Path, code: int, life_s: float = 0.0, says: str = "") -> Scripted:
    script = f"import sys, time; time.sleep({life_s}); print({says!r}, file=sys.stderr); sys.exit({code})"
    with open(log_path, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=out, stderr=out)
    return Scripted(name, 0, proc, log_path, code=code, life_s=life_s, says=says)


class Said:
    """What the supervisor printed, each line with the time it was said."""

    def __init__(self) -> None:
        self.lines: list[tuple[float, str]] = []

    def __call__(self, line: str) -> None:
        self.lines.append((time.monotonic(), line))

    def having(self, text: str) -> list[tuple[float, str]]:
        return [(t, ln) for t, ln in self.lines if text in ln]


@asynccontextmanager
async def supervising(sup: Supervisor, every_s: float = 0.02) -> AsyncIterator[Supervisor]:
    stop = asyncio.Event()
    task = asyncio.create_task(sup.run(stop, every_s=every_s))
    try:
        yield sup
    finally:
        stop.set()
        await task
        stop_all(sup.services)


@pytest.mark.integration
async def test_a_crash_loop_backs_off_doubling_up_to_the_cap(tmp_path: Path) -> None:
    said = Said()
    svc = scripted("router", tmp_path / "router.log", code=69, says="router: broker unreachable")
    sup = Supervisor([svc], first_s=0.1, max_s=0.4, stable_s=60, say=said)
    async with supervising(sup):

        async def five_deaths() -> bool:
            return len(sup.delays["router"]) >= 5

        await wait_for(five_deaths, timeout=60, what="five deaths")
    assert sup.delays["router"][:5] == [0.1, 0.2, 0.4, 0.4, 0.4]
    deaths = said.having("restarting in")
    restarts = said.having("restarted (restart")
    assert deaths[0][1].startswith("router    exit 69 after ")
    assert deaths[0][1].endswith(" s: router: broker unreachable — restarting in 0.1 s")
    for (died, _), (came_back, _), delay in zip(
        deaths, restarts, sup.delays["router"], strict=False
    ):
        assert came_back - died >= delay - 0.01  # no restart before its back-off


@pytest.mark.integration
async def test_a_service_that_stayed_up_starts_the_back_off_over(tmp_path: Path) -> None:
    svc = scripted("ingest", tmp_path / "ingest.log", code=1, life_s=0.5)
    sup = Supervisor([svc], first_s=0.1, max_s=5, stable_s=0.3, say=Said())
    async with supervising(sup):

        async def three_deaths() -> bool:
            return len(sup.delays["ingest"]) >= 3

        await wait_for(three_deaths, timeout=60, what="three deaths")
    assert sup.delays["ingest"][:3] == [0.1, 0.1, 0.1]


@pytest.mark.integration
async def test_a_configuration_error_is_not_restarted(tmp_path: Path) -> None:
    said = Said()
    says = "router: invalid setting TOPIC_PARTITIONS='-1': must be at least 1"
    svc = scripted("router", tmp_path / "router.log", code=78, says=says)
    sup = Supervisor([svc], first_s=0.01, say=said)
    async with supervising(sup):

        async def given_up() -> bool:
            return bool(said.having("not restarted"))

        await wait_for(given_up, timeout=30, what="the supervisor to give up")
        assert sup.check() == []  # later passes start nothing either
    assert said.lines[0][1].startswith("router    exit 78 after ")
    assert said.lines[0][1].endswith(f" s: {says} — not restarted: fix the setting and run again")
    assert sup.status() == f"router DOWN: configuration error (see {tmp_path / 'router.log'})"
    assert sup.delays["router"] == []


@pytest.mark.e2e
def test_a_killed_router_is_restarted_and_ready_again(tmp_path: Path) -> None:
    said = Said()
    with system(tmp_path, names=("router",)) as sysm:  # runs its own event loop: this test not
        old = sysm.services["router"]
        sup = Supervisor([old], first_s=0.2, say=said)
        asyncio.run(_kill_and_wait_until_ready_again(sup, old, said))
    lines = [ln for _, ln in said.lines]
    assert lines[0].startswith("router    killed by SIGKILL after ")
    assert lines[0].endswith(" — restarting in 0.2 s")
    assert lines[1].startswith("router    restarted (restart 1, pid ")
    assert lines[2] == "router    ready again"


async def _kill_and_wait_until_ready_again(
    sup: Supervisor, old: ServiceProcess, said: Said
) -> None:
    async with supervising(sup, every_s=0.1):
        old.kill()

        async def ready_again() -> bool:
            return bool(said.having("ready again"))

        await wait_for(ready_again, timeout=120, what="the router to be ready again")
        new = sup.services[0]
        assert new.proc.pid != old.proc.pid
        assert new.alive()
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{new.url}/readyz")).status_code == 200
        assert sup.status() == "router: 1 restart"
