"""The periodic passes read through the right indexes on SQLite: their cost must follow what
is due, not the number of cases ever routed (which only grows)."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from chorus_router.accountability.idle_pass import idle_once
from chorus_router.app import create_app
from chorus_router.background import sla_once
from sqlalchemy import event

from services.router.tests.router_accountability_support import settings
from tests.support.fixtures import running

POLICY = {"idle_minutes": {"P3": 60}, "idle_notice_fraction": 0.75, "idle_check_seconds": 3600}


def _plan(path: str, statement: str, params: Any) -> str:
    db = sqlite3.connect(path)
    try:
        rows = db.execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
    finally:
        db.close()
    return " | ".join(str(r[-1]) for r in rows)


@pytest.mark.unit
async def test_idle_and_sla_passes_search_by_their_own_indexes(memory_broker, tmp_path) -> None:
    path = str(tmp_path / "router.db")
    app = create_app(settings(f"sqlite+aiosqlite:///{path}", POLICY), bus=memory_broker)
    core = app.state.core
    seen: list[tuple[str, Any]] = []

    def _record(conn: Any, cursor: Any, statement: str, params: Any, ctx: Any, many: bool):
        if statement.lstrip().upper().startswith("SELECT") and "router_cases" in statement:
            seen.append((statement, params))

    async with running(app):
        event.listen(core.runtime.engine.sync_engine, "before_cursor_execute", _record)
        try:
            await idle_once(core)
            idle_reads = list(seen)
            seen.clear()
            await sla_once(core)
            sla_reads = [s for s in seen if "sla_due_at <=" in s[0]]
        finally:
            event.remove(core.runtime.engine.sync_engine, "before_cursor_execute", _record)

    assert idle_reads, "the idle pass reads the watched cases"
    for statement, params in idle_reads:
        plan = _plan(path, statement, params)
        assert "ix_router_case_watch_since" in plan, plan
        assert "TEMP B-TREE" not in plan, f"no sort of every watched case: {plan}"
    assert len(sla_reads) == 1
    plan = _plan(path, *sla_reads[0])
    assert "ix_router_cases_sla_pending" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
