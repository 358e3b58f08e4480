"""A reply drafted right after ``case.assigned`` (which the router's stream shows before the
responder has read the case) waits for the case instead of answering 404; past
RESPONDER_CASE_WAIT_SECONDS it answers 503 with Retry-After. The race is staged, not timed:
the request is sent first, and the case is delivered once the request is seen waiting."""

from __future__ import annotations

import asyncio

import pytest
from chorus_responder import store
from chorus_responder.app import create_app

from services.responder.tests.responder_helpers import (
    agent,
    envelopes,
    make_case,
    make_post,
    out_messages,
    settings,
)
from tests.support.fixtures import running
from tests.support.wait import wait_for

pytestmark = pytest.mark.unit
ANN = agent("ann", "support")


async def _waiting(app, n: int = 1) -> bool:
    return app.state.arrivals.waiting >= n


async def test_a_draft_sent_before_the_responder_read_the_case_is_created_when_it_arrives(
    memory_broker, sqlite_url
) -> None:
    app = create_app(settings(sqlite_url, sender_enabled=False), bus=memory_broker)
    post = make_post()
    case = make_case(post)
    async with running(app) as client:
        draft = asyncio.create_task(
            client.post(f"/v1/cases/{case.case_id}/replies", json={"text": "hi"}, headers=ANN)
        )
        listing = asyncio.create_task(client.get(f"/v1/cases/{case.case_id}/replies", headers=ANN))
        await wait_for(lambda: _waiting(app, 2), timeout=10, what="both requests waiting")
        assert not draft.done() and not listing.done()
        post_event, case_event = envelopes(post, case)
        await memory_broker.append(out_messages([case_event]))  # the case before its post
        await wait_for(
            lambda: _answered(listing), timeout=10, what="the case's replies once it arrived"
        )
        assert not draft.done(), "a draft waits for the post it answers too"
        await memory_broker.append(out_messages([post_event]))
        r = await asyncio.wait_for(draft, timeout=10)
        assert r.status_code == 201, r.text
        assert r.json()["post_id"] == post.id and r.json()["case_id"] == case.case_id
        listed = listing.result()
        assert listed.status_code == 200 and listed.json()["replies"] == []
        assert app.state.arrivals.waiting == 0


async def _answered(task: asyncio.Task[object]) -> bool:
    return task.done()


async def test_a_case_that_does_not_arrive_in_time_is_503_with_retry_after(
    memory_broker, sqlite_url
) -> None:
    app = create_app(
        settings(sqlite_url, sender_enabled=False, case_wait_seconds=0.3), bus=memory_broker
    )
    post = make_post()
    case = make_case(post)
    async with running(app) as client:
        url = f"/v1/cases/{case.case_id}/replies"
        r = await client.post(url, json={"text": "hi"}, headers=ANN)
        assert r.status_code == 503, r.text
        assert r.headers["Retry-After"] == "1"
        assert r.json()["detail"]["code"] == "case_not_ready"
        assert r.json()["detail"]["field"] == "case_id"
        r = await client.get(url, headers=ANN)
        assert r.status_code == 503 and r.json()["detail"]["code"] == "case_not_ready"

        await memory_broker.append(out_messages(envelopes(post, case)[1:]))  # the case alone
        await wait_for(lambda: _view_has(app, case.case_id), timeout=10, what="the case")
        r = await client.post(url, json={"text": "hi"}, headers=ANN)
        assert r.status_code == 503 and r.json()["detail"]["code"] == "post_not_available"
        assert r.headers["Retry-After"] == "1"
        other = agent("bob", "legal")
        r = await client.post(url, json={"text": "hi"}, headers=other)
        assert r.status_code == 404, "a case the caller may not see is not waited for"

        await memory_broker.append(out_messages(envelopes(post, case)[:1]))
        await wait_for(lambda: _draft_created(client, url), timeout=10, what="a retry to pass")


async def _view_has(app, case_id: str) -> bool:
    async with app.state.runtime.sessionmaker() as s:
        return await store.get_case(s, case_id) is not None


async def _draft_created(client, url: str) -> bool:
    r = await client.post(url, json={"text": "hi"}, headers=ANN)
    assert r.status_code in (201, 503), r.text
    return r.status_code == 201
