"""`--profile`: py-spy samples every service process during a phase; hot spots in the results.

py-spy is not a project dependency (it is a native sampling profiler, attached by pid):
install it once with ``uv tool install py-spy``. Raw collapsed stacks are kept next to the
results (open them with speedscope or flamegraph.pl); the summary lists, per service, the
functions where most samples were taken (self) and the Chorus functions that include most.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

IDLE_FRAMES = ("Runner.run (asyncio/runners.py", "_worker (concurrent/futures/thread.py")


def py_spy() -> str | None:
    found = shutil.which("py-spy")
    if found:
        return found
    local = Path.home() / ".local" / "bin" / "py-spy"
    return str(local) if local.exists() else None


class Profiler:
    """``start(pids, out_dir)`` before a phase, ``stop()`` after it; then ``summary()``."""

    def __init__(self, rate_hz: int = 100) -> None:
        self.rate = rate_hz
        self.procs: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}

    def start(self, pids: dict[str, int], out_dir: Path, tag: str) -> bool:
        exe = py_spy()
        if exe is None:
            print("--profile: py-spy not found (uv tool install py-spy); not profiling")
            return False
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, pid in pids.items():
            if name == "broker":
                continue
            path = out_dir / f"{tag}-{name}.txt"
            # --gil: sample the thread holding the GIL, i.e. where Python CPU time goes.
            cmd = [exe, "record", "--pid", str(pid), "--format", "raw", "--rate",
                   str(self.rate), "--gil", "--output", str(path)]  # fmt: skip
            self.procs[name] = (
                subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                path,
            )
        return True

    def stop(self) -> dict[str, Any]:
        import signal

        for proc, _ in self.procs.values():
            proc.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        out: dict[str, Any] = {}
        for name, (proc, path) in self.procs.items():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
            if path.exists():
                out[name] = summarize(path)
        self.procs.clear()
        return out


def summarize(path: Path, top: int = 15) -> dict[str, Any]:
    """Busy samples (event-loop idle excluded), top self frames and top Chorus frames."""
    own: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = idle = 0
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = stack.split(";")
        total += n
        if frames[-1].startswith(IDLE_FRAMES):
            idle += n
            continue
        own[frames[-1]] += n
        for f in set(frames):
            if "chorus_" in f:
                incl[f] += n
    busy = max(1, total - idle)
    return {
        "file": str(path),
        "samples": total,
        "busy_share": round((total - idle) / max(1, total), 3),
        "self_top": [(f, round(100 * n / busy, 1)) for f, n in own.most_common(top)],
        "chorus_inclusive_top": [(f, round(100 * n / busy, 1)) for f, n in incl.most_common(top)],
    }
