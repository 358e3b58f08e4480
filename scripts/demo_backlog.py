"""Start `chorus run` with its demo and record the backlog every minute: cases opened and
resolved (analytics) and open cases by status, team and assignee (router).

    uv run python scripts/demo_backlog.py --minutes 16 --var /tmp/chorus-backlog

Prints one line per sample and writes them to VAR/backlog.jsonl. Extra arguments after `--`
go to `chorus run` (e.g. `-- --demo-rate 4`).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

OPEN = "new,queued,assigned,waiting_approval,replied,reopened"


def _open_cases(client: httpx.Client, router: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"status": OPEN, "limit": 200}
        if cursor:
            params["cursor"] = cursor
        body = client.get(f"{router}/v1/cases", params=params).raise_for_status().json()
        items += body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return items


def sample(client: httpx.Client, router: str, analytics: str, t0: float) -> dict[str, Any]:
    """One sample: the analytics summary's case counts and the router's open cases."""
    cases = _open_cases(client, router)
    try:  # analytics may be catching up (it yields the CPU to the routing path): no figure then
        r = client.get(f"{analytics}/v1/reports/summary", timeout=5)
        summary = r.json().get("cases", {}) if r.status_code == 200 else {}
    except httpx.HTTPError:
        summary = {}
    by = {
        key: dict(collections.Counter(str(c.get(key)) for c in cases).most_common())
        for key in ("status", "team", "assignee")
    }
    return {
        "minute": round((time.monotonic() - t0) / 60, 1),
        "opened": summary.get("opened"),
        "resolved": summary.get("resolved"),
        "open": len(cases),
        "load1": round(os.getloadavg()[0], 1),
        **{f"by_{k}": v for k, v in by.items()},
    }


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _wait_started(var: Path, proc: subprocess.Popen[bytes], urls: list[str]) -> str:
    """The admin token, once `chorus run` wrote it and the services answer ready."""
    deadline = time.monotonic() + 600
    path = var / "admin.token"
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists() and path.read_text().strip() and all(_ready(u) for u in urls):
            return path.read_text().strip()
        time.sleep(0.5)
    raise SystemExit(f"chorus run did not start (see {var}/run.out)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--minutes", type=float, default=16)
    ap.add_argument("--every", type=float, default=60, help="seconds between samples")
    ap.add_argument("--var", default="var-backlog")
    ap.add_argument("--router", default="http://127.0.0.1:8002")
    ap.add_argument("--analytics", default="http://127.0.0.1:8004")
    ap.add_argument("run_args", nargs="*", help="after --: more `chorus run` arguments")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop `chorus run` too (finally)
    var = Path(args.var).resolve()
    var.mkdir(parents=True, exist_ok=True)
    (var / "admin.token").unlink(missing_ok=True)
    out = (var / "run.out").open("ab")
    cmd = [sys.executable, "-m", "chorus_cli.main", "run", "--var", str(var)]
    proc = subprocess.Popen([*cmd, "--summary-every", "60", *args.run_args], stdout=out, stderr=out)
    try:
        token = _wait_started(var, proc, [args.router, args.analytics])
        headers = {"Authorization": f"Bearer {token}"}
        with (
            httpx.Client(headers=headers, timeout=30) as client,
            (var / "backlog.jsonl").open("a") as log,
        ):
            t0 = time.monotonic()
            samples = int(args.minutes * 60 // args.every) + 1
            for k in range(samples):
                time.sleep(max(0.0, t0 + k * args.every - time.monotonic()))
                if proc.poll() is not None:
                    raise SystemExit(f"chorus run exited (see {var}/run.out)")
                row = sample(client, args.router, args.analytics, t0)
                print(json.dumps(row), flush=True)
                log.write(json.dumps(row) + "\n")
                log.flush()
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
