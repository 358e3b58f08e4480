"""Peak resident memory of the service processes, as the kernel tracks it.

Linux keeps each process's high-water mark of resident memory (``VmHWM`` in
``/proc/<pid>/status``), so the peak needs no sampling: an earlier version polled every
process (and scanned ``/proc`` for its children) ten times a second in a thread of the
benchmark process, which cost the load generator a fifth of its CPU time. The services
start no child processes (one uvicorn worker each).
"""

from __future__ import annotations

from pathlib import Path


def peak_rss_kib(pid: int) -> int | None:
    """The process's peak resident set size in KiB, or None if it is gone or not Linux."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def peak_rss_mb(pids: dict[str, int]) -> dict[str, float]:
    """Peak RSS (MiB) of each process since it started; read before the processes stop."""
    out: dict[str, float] = {}
    for name, pid in pids.items():
        kib = peak_rss_kib(pid)
        if kib is not None:
            out[name] = round(kib / 1024, 1)
    return out
