"""A service's share of the CPU when the services share a machine (``CPU_NICE``).

On the embedded default every service runs on one machine, and on a small one they compete
for its cores. The routing path (ingest, broker, router) is what a waiting post waits for;
analytics and the responder's views are not, and their batches only get cheaper per event
when they wait. ``CPU_NICE`` (0-19) lowers a process's priority so that, when the cores are
busy, the others go first; when they are idle it changes nothing.

Linux groups processes by session ("autogroup", on by default on desktops and many
servers): the scheduler shares the CPU between groups first, and a process's own nice value
only orders it within its group. The launcher starts each service in a session of its own,
so the nice value that counts is the group's: a session leader sets both. A process that
shares its session with others sets only its own, not to slow the others down.

``CPU_AFFINITY`` pins a process to some CPUs. On two cores shared by five processes, ingest
and the router on a core each (what `chorus run` does) keep their working sets in their own
core's caches instead of following the scheduler from one core to the other
(docs/performance.md, "What the defaults are for").
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

AUTOGROUP = Path("/proc/self/autogroup")
MAX_NICE = 19


@dataclass(frozen=True)
class Applied:
    """What :func:`lower_priority` changed: the process's nice value and its group's."""

    nice: int
    group_nice: int | None


def lower_priority(by: int, *, autogroup: Path = AUTOGROUP) -> Applied | None:
    """Raise this process's nice value to ``by`` (and its autogroup's, if it leads its
    session); None when ``by`` is 0. Only ever lowers the priority, so it needs no privilege;
    a platform that refuses is logged, not fatal."""
    if by <= 0:
        return None
    target = min(by, MAX_NICE)
    current = os.getpriority(os.PRIO_PROCESS, 0)
    nice = os.nice(target - current) if target > current else current
    group_nice = None
    if os.getsid(0) == os.getpid() and autogroup.exists():
        try:
            autogroup.write_text(f"{target}\n")
            group_nice = _group_nice(autogroup.read_text())
        except OSError as exc:
            log.info("autogroup priority not set", extra={"error": str(exc)})
    log.info("CPU priority lowered", extra={"nice": nice, "group_nice": group_nice})
    return Applied(nice=nice, group_nice=group_nice)


def _group_nice(text: str) -> int | None:
    """The nice value in ``/proc/<pid>/autogroup`` ("/autogroup-85 nice 10")."""
    parts = text.split()
    if len(parts) == 3 and parts[1] == "nice":
        return int(parts[2])
    return None


def parse_cpus(spec: str) -> set[int]:
    """``"0"``, ``"1,3"``, ``"0-2"`` as a set of CPU ids; empty for an empty spec."""
    cpus: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        first, last = int(lo), int(hi or lo)
        if last < first:
            raise ValueError(f"CPU range {part!r} runs backwards")
        cpus.update(range(first, last + 1))
    return cpus


def allowed_cpus() -> set[int]:
    """The CPUs this process may run on (all of them where the platform cannot say)."""
    if hasattr(os, "sched_getaffinity"):
        return set(os.sched_getaffinity(0))
    return set(range(os.cpu_count() or 1))


def pin_cpus(spec: str) -> set[int] | None:
    """Pin this process to the CPUs of ``spec`` that it may run on; None when ``spec`` is
    empty or none of its CPUs is allowed here (a container's own set, a smaller machine):
    then the process keeps the scheduler's choice, and that is logged, not fatal."""
    wanted = parse_cpus(spec)
    if not wanted or not hasattr(os, "sched_setaffinity"):
        return None
    allowed = allowed_cpus()
    cpus = wanted & allowed
    if not cpus:
        log.warning(
            "CPU affinity not set", extra={"wanted": sorted(wanted), "allowed": sorted(allowed)}
        )
        return None
    os.sched_setaffinity(0, cpus)
    log.info("CPU affinity set", extra={"cpus": sorted(cpus)})
    return cpus
