"""Debian's Prometheus and promtool for the tests: a server of our own on a free port.

`make promtool` installs the `prometheus` package when promtool is missing (without letting
its system service start). The server runs with a temporary data directory, scrapes the
services of a test system every second and loads the shipped alert rules.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from chorus_cli.embedded import free_port, stop_process

from tests.support.wait import wait_for_sync

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SHIPPED_CONFIG = DEPLOY / "prometheus" / "prometheus.yml"
SHIPPED_RULES = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARDS = DEPLOY / "grafana" / "dashboards"


def binary(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is not installed: `make promtool` installs it (Debian's prometheus)"
    return path


def promtool(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary("promtool"), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def panel_expressions() -> list[tuple[str, str, str]]:
    """(dashboard, panel title, expression) of every query of the shipped dashboards."""
    out = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            for target in panel["targets"]:
                out.append((path.stem, panel["title"], target["expr"]))
    return out


def scrape_config(targets: Mapping[str, str], interval: str = "1s") -> dict[str, Any]:
    """The shipped config with each job's target replaced by the test's address of its
    service (``targets``: service -> host:port), a short interval and the shipped rules."""
    cfg = yaml.safe_load(SHIPPED_CONFIG.read_text())
    cfg["global"] = {**cfg.get("global", {}), "scrape_interval": interval,
                     "evaluation_interval": interval}  # fmt: skip
    cfg["rule_files"] = [str(SHIPPED_RULES)]
    for job in cfg["scrape_configs"]:
        for sc in job["static_configs"]:
            sc["targets"] = [targets[sc["labels"]["service"]]]
    return cfg


@dataclass
class Prometheus:
    url: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    def query(self, expr: str) -> list[dict[str, Any]]:
        """The instant vector (or scalar as one sample) ``expr`` evaluates to now."""
        r = httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10)
        body = r.json()
        assert r.status_code == 200 and body["status"] == "success", f"{expr}: {body}"
        data = body["data"]
        if data["resultType"] == "scalar":
            return [{"metric": {}, "value": data["result"]}]
        result: list[dict[str, Any]] = data["result"]
        return result

    def targets_up(self) -> dict[str, bool]:
        r = httpx.get(f"{self.url}/api/v1/targets", timeout=10).json()
        return {t["labels"]["job"]: t["health"] == "up" for t in r["data"]["activeTargets"]}

    def alerts(self) -> dict[str, str]:
        """Alert name -> state (pending, firing) of the alerts active now."""
        r = httpx.get(f"{self.url}/api/v1/alerts", timeout=10).json()
        return {a["labels"]["alertname"]: a["state"] for a in r["data"]["alerts"]}


@contextmanager
def prometheus(workdir: Path, config: dict[str, Any]) -> Iterator[Prometheus]:
    """Start ``prometheus`` on a free port with a data directory under ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    cfg_path = workdir / "prometheus.yml"
    cfg_path.write_text(yaml.safe_dump(config))
    check = promtool("check", "config", cfg_path)
    assert check.returncode == 0, check.stdout + check.stderr
    port = free_port()
    log_path = workdir / "prometheus.log"
    with open(log_path, "ab") as out:
        proc = subprocess.Popen(
            [
                binary("prometheus"),
                f"--config.file={cfg_path}",
                f"--storage.tsdb.path={workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--storage.tsdb.retention.time=1h",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    prom = Prometheus(f"http://127.0.0.1:{port}", proc, log_path)
    try:
        _wait_ready(prom)
        yield prom
    finally:
        stop_process(proc, timeout_s=10)


def _wait_ready(prom: Prometheus, timeout_s: float = 30.0) -> None:
    def ready() -> bool:
        assert prom.proc.poll() is None, prom.log_path.read_text(errors="replace")[-3000:]
        try:
            return httpx.get(f"{prom.url}/-/ready", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for_sync(ready, timeout=timeout_s, interval=0.1, what="prometheus ready")
