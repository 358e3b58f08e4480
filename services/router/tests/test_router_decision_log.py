"""One structured INFO line per routing decision: ids, team, member, rule ids and the trace
id; never the post's text or its author."""

from __future__ import annotations

import logging

import pytest
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings

from services.router.tests.router_support import always_working, encode, make_post, post_event
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for

ADMIN = auth("admin")
TEXT = "I will sue you, my lawyer has the receipts"


def _lines(caplog: pytest.LogCaptureFixture, msg: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "chorus_router.decisions" and r.msg == msg]


@pytest.mark.unit
async def test_each_post_routed_gets_one_info_line_with_its_decision(
    memory_broker, sqlite_url, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="chorus_router.decisions")
    app = create_app(RouterSettings(database_url=sqlite_url, **FAST_KAFKA_ENV), bus=memory_broker)
    async with running(app) as client:
        await always_working(client, ("lena", "marc", "nora"), ADMIN)
        first = make_post(TEXT, thread_id="x:conv-log", author_id="customer-77")
        second = make_post("Any news?", thread_id="x:conv-log")
        opened = post_event(first)
        await memory_broker.append(encode([opened]))
        await wait_for(lambda: _found(caplog, 1), what="the first post's line")
        await memory_broker.append(encode([post_event(second)]))
        await wait_for(lambda: _found(caplog, 2), what="the follow-up's line")
        await memory_broker.append(encode([opened]))  # a redelivery decides nothing
        cases = (await client.get("/v1/cases", headers=ADMIN)).json()["items"]
    lines = _lines(caplog, "post routed")
    assert len(lines) == 2
    one, two = (r.__dict__ for r in lines)
    case = cases[0]
    assert one["post_id"] == first.id and one["case_id"] == case["id"]
    assert (one["action"], one["team"], one["member"]) == ("opened", "legal", case["assignee"])
    assert one["priority"] == "P1" and one["status"] == "assigned"
    assert one["rules"] == [m["rule"] for m in case["decision"]["matched"]] and one["rules"]
    assert one["trace_id"] == opened.trace_id
    assert (two["post_id"], two["action"], two["case_id"]) == (second.id, "added", case["id"])
    assert not _lines(caplog, "case assigned"), "the post's line holds its assignment"
    for r in caplog.records:
        text = r.getMessage() + repr(r.__dict__)
        assert "lawyer" not in text and "customer-77" not in text, "no text, no author"


async def _found(caplog: pytest.LogCaptureFixture, n: int) -> bool:
    return len(_lines(caplog, "post routed")) >= n
