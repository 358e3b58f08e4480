"""When the background jobs first run: the idle check one period after start (a check at
start-up raced whoever moved the clock right after it), everything else at the first tick."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from chorus_router.accountability.passes import Passes

from services.router.tests.router_accountability_support import settings
from tests.support.wait import wait_for

JOBS = ("rebalance", "idle", "refresh_metrics", "prune")


@pytest.mark.unit
async def test_the_idle_check_first_runs_one_period_after_start(sqlite_url) -> None:
    policy = {"idle_check_seconds": 0.5, "metrics_seconds": 3600}
    passes = Passes(SimpleNamespace(settings=settings(sqlite_url, policy)), metrics=None)  # type: ignore[arg-type]
    ran: list[str] = []
    for name in JOBS:

        async def job(name: str = name) -> None:
            ran.append(name)

        setattr(passes, name, job)
    await passes()
    assert ran == ["rebalance", "refresh_metrics", "prune"], "at the first tick, idle excepted"
    ran.clear()
    await passes()
    assert ran == ["rebalance"], "the others on their own periods"

    async def idle_ran() -> bool:
        await passes()
        return "idle" in ran

    await wait_for(idle_ran, timeout=10, what="the first idle check, one period after start")
    assert ran.count("idle") == 1
