"""CPU_AFFINITY: a service pins itself to the CPUs it is given, where it may run on them.

Pinning runs in a child process: the test process keeps the CPUs it was given."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from chorus_common.priority import parse_cpus
from chorus_common.settings import CommonSettings
from pydantic import ValidationError

pytestmark = pytest.mark.unit

CHILD = """
import json, os, sys
from chorus_common.priority import pin_cpus
pinned = pin_cpus(sys.argv[1])
print(json.dumps({"pinned": None if pinned is None else sorted(pinned),
                  "now": sorted(os.sched_getaffinity(0))}))
"""


def _pin(spec: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, spec],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_cpu_lists_and_ranges_are_parsed() -> None:
    assert parse_cpus("") == set()
    assert parse_cpus("1") == {1}
    assert parse_cpus(" 0, 2-4 ,7") == {0, 2, 3, 4, 7}
    with pytest.raises(ValueError, match="backwards"):
        parse_cpus("3-1")


def test_the_setting_refuses_what_is_not_a_cpu_list() -> None:
    assert CommonSettings(cpu_affinity="0-1,3").cpu_affinity == "0-1,3"
    for bad in ("one", "0;1", "-1", "0,", "3-1"):
        with pytest.raises(ValidationError, match="cpu_affinity"):
            CommonSettings(cpu_affinity=bad)


def test_a_process_is_pinned_to_the_allowed_cpus_it_is_given() -> None:
    allowed = sorted(os.sched_getaffinity(0))
    last = allowed[-1]
    assert _pin(str(last)) == {"pinned": [last], "now": [last]}
    # CPUs it may not run on are left out; none at all leaves the scheduler's choice.
    assert _pin(f"{last},{last + 1000}") == {"pinned": [last], "now": [last]}
    assert _pin(str(last + 1000)) == {"pinned": None, "now": allowed}
    assert _pin("") == {"pinned": None, "now": allowed}
