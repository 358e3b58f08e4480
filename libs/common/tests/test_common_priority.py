"""CPU_NICE: a service lowers its own priority, and its session's group's when it leads one.

Each case runs in a child process: lowering the priority of the test process itself could not
be undone (raising it back needs privileges)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

CHILD = """
import json, os, sys
from pathlib import Path
from chorus_common.priority import lower_priority
group = Path(sys.argv[2]) if sys.argv[2] != "-" else Path("/proc/self/autogroup")
applied = lower_priority(int(sys.argv[1]), autogroup=group)
print(json.dumps({
    "applied": None if applied is None else [applied.nice, applied.group_nice],
    "nice": os.getpriority(os.PRIO_PROCESS, 0),
    "leader": os.getsid(0) == os.getpid(),
}))
"""


def _child(by: int, autogroup: Path | None, *, own_session: bool) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(by), str(autogroup) if autogroup else "-"],
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=own_session,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    ("own_session", "group_after"),
    [
        # A session leader writes its group's nice value (the fake file keeps the bare number).
        (True, "7\n"),
        # A process sharing its session must not slow the others in the group down.
        (False, "/autogroup-1 nice 0\n"),
    ],
)
def test_lowers_itself_and_its_group_only_when_it_leads_its_session(
    tmp_path: Path, own_session: bool, group_after: str
) -> None:
    group = tmp_path / "autogroup"
    group.write_text("/autogroup-1 nice 0\n")
    got = _child(7, group, own_session=own_session)
    assert got["leader"] is own_session
    assert got["nice"] == 7
    assert group.read_text() == group_after
    assert got["applied"] == [7, None]


def test_zero_changes_nothing(tmp_path: Path) -> None:
    group = tmp_path / "autogroup"
    group.write_text("/autogroup-1 nice 0\n")
    got = _child(0, group, own_session=True)
    assert got["applied"] is None
    assert got["nice"] == os.getpriority(os.PRIO_PROCESS, 0)
    assert group.read_text() == "/autogroup-1 nice 0\n"


def test_values_above_19_are_capped_and_a_missing_group_file_is_ignored(tmp_path: Path) -> None:
    got = _child(40, tmp_path / "absent", own_session=True)
    assert got["nice"] == 19
    assert got["applied"] == [19, None]


def test_the_kernels_autogroup_reads_back_the_new_nice_value() -> None:
    # On a kernel with autogroups the group's nice value is what orders this process against
    # the other services (each leads its own session); without them only the process's own.
    got = _child(5, None, own_session=True)
    expected = 5 if Path("/proc/self/autogroup").exists() else None
    assert got["applied"] == [5, expected]
