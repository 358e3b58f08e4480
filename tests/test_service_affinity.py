"""A service process given ``CPU_AFFINITY`` (as `chorus run` gives ingest and the router)
runs on that CPU only, and serves as usual."""

from __future__ import annotations

import os
from pathlib import Path

import psutil
import pytest

from tests.support.system import system


@pytest.mark.e2e
@pytest.mark.timeout(120)
def test_a_service_given_cpu_affinity_runs_on_that_cpu(tmp_path: Path) -> None:
    cpu = max(os.sched_getaffinity(0))
    with system(tmp_path, names=()) as sysm:
        sysm.extra_env["CPU_AFFINITY"] = str(cpu)
        svc = sysm.start("router")
        assert psutil.Process(svc.proc.pid).cpu_affinity() == [cpu]
        with sysm.client() as client:
            assert client.get(f"{svc.url}/v1/cases").status_code == 200
