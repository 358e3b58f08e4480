"""Dead letters one by one: found by the post or trace they name (`GET /v1/dead-letters`,
scope deadletters:read), without their bytes or error text, pruned after their retention."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from chorus_analytics import models, spikes_job
from chorus_common.contracts.events import DeadLetter, utcnow
from chorus_common.messaging.envelope import make_event
from chorus_common.persistence import bulk
from sqlalchemy import func, select

from services.analytics.tests.analytics_kit import handler_app
from tests.support.budget import cost_of
from tests.support.fixtures import auth, running


def _letter(post_id: str | None, trace_id: str, code: str = "handler_error", age_days: float = 0):
    letter = DeadLetter.of(
        error="ValueError: Jane Doe's order 48213 broke the handler",
        error_code=code,
        source="router:chorus.posts.v1",
        original=b'{"payload": {"post": {"text": "private"}}}',
        original_topic="chorus.posts.v1",
        original_partition=2,
        original_offset=41,
        post_id=post_id,
    )
    env = make_event("dead_letter", letter, producer="router", trace_id=trace_id)
    return env.model_copy(update={"occurred_at": utcnow() - timedelta(days=age_days)})


@pytest.mark.unit
async def test_dead_letters_are_found_by_post_or_trace_and_pruned_after_retention(
    sqlite_url,
) -> None:
    app = handler_app(sqlite_url)
    admin = auth("admin")
    async with running(app) as client:
        old = _letter("x:9", "t-old", age_days=40)
        first, second = _letter("x:1", "t1"), _letter(None, "t2", code="invalid_json")
        await app.state.batch_handler([first, second, old])
        await app.state.batch_handler([first])  # a redelivery is kept once
        by_post = await client.get("/v1/dead-letters", params={"post_id": "x:1"}, headers=admin)
        by_trace = await client.get("/v1/dead-letters", params={"trace_id": "t2"}, headers=admin)
        everything = await client.get("/v1/dead-letters", headers=admin)
        agent = await client.get("/v1/dead-letters", headers=auth("agent", teams=("support",)))
        anonymous = await client.get("/v1/dead-letters")
        too_many = await client.get("/v1/dead-letters", params={"limit": 1000}, headers=admin)
        await spikes_job.prune(app.state.runtime, app.state.settings)
        async with app.state.runtime.sessionmaker() as session:
            t = models.dead_letters
            kept = await session.scalar(select(func.count()).select_from(t))
    assert by_post.status_code == 200, by_post.text
    [row] = by_post.json()["items"]
    assert (row["event_id"], row["post_id"], row["trace_id"]) == (str(first.event_id), "x:1", "t1")
    assert (row["source"], row["code"], row["original_offset"]) == (
        "router:chorus.posts.v1",
        "handler_error",
        41,
    )
    assert "private" not in by_post.text and "Jane" not in by_post.text, "no bytes, no error text"
    assert [r["code"] for r in by_trace.json()["items"]] == ["invalid_json"]
    newest_first = [r["trace_id"] for r in everything.json()["items"]]
    assert newest_first == ["t2", "t1", "t-old"]
    assert agent.status_code == 403 and anonymous.status_code == 401
    assert too_many.status_code == 422
    assert kept == 2, "the 40-day-old dead letter is pruned (DEAD_LETTER_RETENTION_DAYS=30)"


DEAD = 50_000  # kept dead letters (DEAD_LETTER_RETENTION_DAYS of a bad stretch)


@pytest.mark.integration
async def test_the_worst_dead_letter_requests_stay_within_budget(db_url) -> None:
    app = handler_app(db_url)
    now = utcnow()
    rows = [
        {
            "event_id": f"{i:036d}",
            "at": now - timedelta(seconds=i),
            "source": "ingest.x",
            "code": "invalid_shape",
            "field": "data",
            "post_id": "x:hot" if i % 2 else f"x:{i}",
            "trace_id": f"{i:032x}",
            "original_topic": None,
            "original_partition": None,
            "original_offset": None,
        }
        for i in range(DEAD)
    ]
    async with running(app) as client:
        client.headers.update(auth("admin"))
        async with app.state.runtime.sessionmaker() as session, session.begin():
            dialect = session.get_bind().dialect.name
            await bulk.run_dicts(session, bulk.insert_rows(dialect, models.dead_letters), rows)
        worst: list[dict[str, Any]] = [
            {"limit": 200},
            {"post_id": "x:hot", "limit": 200},  # half of them name it
            {"post_id": "x:nobody", "trace_id": f"{DEAD - 2:032x}", "limit": 200},  # the oldest
        ]
        for params in worst:
            r, cost = await cost_of(partial(client.get, "/v1/dead-letters", params=params))
            assert r.status_code == 200, r.text[:300]
            cost.within(10.0, 64, f"GET /v1/dead-letters {params}")
        assert len(r.json()["items"]) == 1
