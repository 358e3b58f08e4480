"""`chorus run` gives ingest and the router a CPU each, and nothing else, unless told not to."""

from __future__ import annotations

import pytest
from chorus_cli.run import routing_path_affinity

pytestmark = pytest.mark.unit


def test_ingest_and_router_get_the_first_two_allowed_cpus() -> None:
    assert routing_path_affinity({}, {0, 1}) == {"ingest": "0", "router": "1"}
    assert routing_path_affinity({}, {5, 3, 9}) == {"ingest": "3", "router": "5"}


def test_nothing_is_pinned_on_one_cpu_when_turned_off_or_when_the_environment_pins() -> None:
    assert routing_path_affinity({}, {0}) == {}
    assert routing_path_affinity({"PIN_ROUTING_PATH": "0"}, {0, 1}) == {}
    assert routing_path_affinity({"CPU_AFFINITY": "1"}, {0, 1}) == {}
    assert routing_path_affinity({"PIN_ROUTING_PATH": "1"}, {0, 1}) == {
        "ingest": "0",
        "router": "1",
    }
