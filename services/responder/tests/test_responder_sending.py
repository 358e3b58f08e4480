"""The send worker: retries with back-off on 429 (Retry-After) and 5xx, reconciliation before a
retry after an ambiguous answer, permanent failures with the platform's reason, and
per-platform concurrency so a slow platform does not hold back the others."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from chorus_common.contracts import topics
from chorus_common.messaging.envelope import Envelope
from chorus_responder.app import create_app

from services.responder.tests.responder_fake_platform import FakePlatform, Scripted, ServedFake
from services.responder.tests.responder_helpers import agent, make_case, make_post, seed, settings
from tests.support.fixtures import running
from tests.support.wait import wait_for

WHO = agent("sam", "support")


@pytest.fixture
def fake():
    with ServedFake(FakePlatform()) as served:
        yield served


def _app(memory_broker, sqlite_url, fake, **kw):
    return create_app(
        settings(sqlite_url, platform_base_url=fake.base_url, **kw), bus=memory_broker
    )


async def _queue(
    client, memory_broker, app, platform: str = "x", kind: str = "comment", **post_kw
) -> str:
    post = make_post(platform=platform, kind=kind, **post_kw)
    case = await seed(memory_broker, app, post, make_case(post))
    r = await client.post(f"/v1/cases/{case.case_id}/replies", json={"text": "On it!"}, headers=WHO)
    assert r.status_code == 201, r.text
    rid = r.json()["reply_id"]
    assert (await client.post(f"/v1/replies/{rid}/send", headers=WHO)).status_code == 202
    return rid


async def _final(client, rid: str, timeout: float = 20) -> dict[str, Any]:
    async def done():
        r = (await client.get(f"/v1/replies/{rid}", headers=WHO)).json()
        return r if r["status"] in ("sent", "failed") else None

    return await wait_for(done, timeout=timeout, what=f"reply {rid} to finish")


def _events(memory_broker, rid: str) -> list[Envelope]:
    envs = [Envelope.from_bytes(r.value) for r in memory_broker.records(topics.REPLIES)]
    return [e for e in envs if e.payload["reply_id"] == rid]


@pytest.mark.unit
async def test_rate_limit_answer_is_retried_after_retry_after(
    memory_broker, sqlite_url, fake
) -> None:
    app = _app(memory_broker, sqlite_url, fake)
    fake.fake.script(
        "POST /2/tweets",
        Scripted(status=429, body={"title": "Too Many Requests"}, headers={"Retry-After": "1"}),
    )
    async with running(app) as client:
        rid = await _queue(client, memory_broker, app)
        reply = await _final(client, rid)
    assert reply["status"] == "sent" and reply["attempts"] == 2
    calls = fake.fake.calls("POST /2/tweets")
    assert len(calls) == 2
    steps = [h for h in reply["history"] if h["step"] == "retry_scheduled"]
    assert (
        steps[0]["data"]["error_code"] == "rate_limited"
        and steps[0]["data"]["delay_seconds"] >= 1.0
    )
    assert len(fake.fake.objects("x")) == 1


@pytest.mark.unit
async def test_5xx_after_posting_is_reconciled_not_posted_twice(
    memory_broker, sqlite_url, fake
) -> None:
    app = _app(memory_broker, sqlite_url, fake)
    # The platform stores the comment and then answers 500: the outcome looks like a failure.
    async with running(app) as client:
        post = make_post(platform="facebook", kind="comment", channel="page-1")
        fake.fake.script(
            f"POST /v21.0/{post.native_id}/comments",
            Scripted(
                status=500,
                body={"error": {"message": "An unknown error occurred", "code": 1}},
                create=True,
            ),
        )
        case = await seed(memory_broker, app, post, make_case(post))
        rid = (
            await client.post(
                f"/v1/cases/{case.case_id}/replies", json={"text": "Sorry!"}, headers=WHO
            )
        ).json()["reply_id"]
        await client.post(f"/v1/replies/{rid}/send", headers=WHO)
        reply = await _final(client, rid)
    assert reply["status"] == "sent"
    assert len(fake.fake.objects("facebook")) == 1, (
        "the retry found the comment instead of posting again"
    )
    assert len(fake.fake.calls(f"POST /v21.0/{post.native_id}/comments")) == 1
    assert len(fake.fake.calls(f"GET /v21.0/{post.native_id}/comments")) == 1
    assert reply["history"][-1]["data"]["reconciled"] is True


@pytest.mark.unit
async def test_timeouts_then_success_on_an_idempotent_platform(
    memory_broker, sqlite_url, fake
) -> None:
    app = _app(memory_broker, sqlite_url, fake, send_timeout_seconds=0.3)
    fake.fake.script("POST /api/v1/statuses", Scripted(delay=1.0, create=True))
    async with running(app) as client:
        rid = await _queue(client, memory_broker, app, platform="mastodon")
        reply = await _final(client, rid)
    assert reply["status"] == "sent" and reply["attempts"] == 2
    keys = {c.headers["idempotency-key"] for c in fake.fake.calls("POST /api/v1/statuses")}
    assert len(keys) == 1, "both attempts carry the reply's idempotency key"
    assert len(fake.fake.objects("mastodon")) == 1


@pytest.mark.unit
async def test_permanent_error_fails_with_the_platforms_reason(
    memory_broker, sqlite_url, fake
) -> None:
    app = _app(memory_broker, sqlite_url, fake)
    fake.fake.script(
        "POST /2/tweets",
        Scripted(
            status=403,
            body={
                "title": "Forbidden",
                "type": "about:blank",
                "status": 403,
                "detail": "You attempted to reply to a Tweet that is deleted or not visible to you.",
            },
        ),
    )
    async with running(app) as client:
        rid = await _queue(client, memory_broker, app)
        reply = await _final(client, rid)
        assert reply["status"] == "failed" and reply["attempts"] == 1
        assert "deleted or not visible" in reply["error"]

        async def failed_event():
            return [e for e in _events(memory_broker, rid) if e.type == "reply.failed"]

        ev = (await wait_for(failed_event, what="reply.failed"))[0]
        assert "deleted or not visible" in ev.payload["error"]


@pytest.mark.unit
async def test_whatsapp_ambiguous_outcome_is_never_repeated(
    memory_broker, sqlite_url, fake
) -> None:
    app = _app(memory_broker, sqlite_url, fake)
    async with running(app) as client:
        post = make_post(platform="whatsapp", kind="dm", channel="15550001111")
        fake.fake.script(
            "POST /v21.0/15550001111/messages",
            Scripted(status=502, body={"error": {"message": "Bad gateway"}}, create=True),
        )
        case = await seed(memory_broker, app, post, make_case(post))
        rid = (
            await client.post(f"/v1/cases/{case.case_id}/replies", json={"text": "Hi"}, headers=WHO)
        ).json()["reply_id"]
        await client.post(f"/v1/replies/{rid}/send", headers=WHO)
        reply = await _final(client, rid)
        assert reply["status"] == "failed" and reply["error_code"] == "outcome_unknown"
        assert len(fake.fake.calls("POST /v21.0/15550001111/messages")) == 1
        r = await client.post(f"/v1/replies/{rid}/send", headers=WHO)
        assert r.status_code == 409 and r.json()["code"] == "outcome_unknown"


@pytest.mark.unit
async def test_slow_platform_does_not_hold_back_the_others(memory_broker, sqlite_url, fake) -> None:
    app = _app(
        memory_broker, sqlite_url, fake, send_concurrency_per_platform=1, send_timeout_seconds=10
    )
    fake.fake.script("POST /2/tweets", *[Scripted(delay=3.0, create=True) for _ in range(2)])
    async with running(app) as client:
        slow = [await _queue(client, memory_broker, app) for _ in range(2)]
        started = time.monotonic()
        quick = await _queue(client, memory_broker, app, platform="mastodon")
        reply = await _final(client, quick)
        elapsed = time.monotonic() - started
        assert reply["status"] == "sent"
        assert elapsed < 2.5, f"mastodon waited {elapsed:.1f}s behind X"
        slow_first = (await client.get(f"/v1/replies/{slow[1]}", headers=WHO)).json()
        assert slow_first["status"] == "sending"
        for rid in slow:
            assert (await _final(client, rid))["status"] == "sent"
    assert len(fake.fake.objects("x")) == 2


@pytest.mark.unit
async def test_a_reply_sent_gets_one_info_line_without_its_text(
    memory_broker, sqlite_url, fake, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    app = _app(memory_broker, sqlite_url, fake)
    async with running(app) as client:
        rid = await _queue(client, memory_broker, app, platform="mastodon")
        reply = await _final(client, rid)
    assert reply["status"] == "sent"
    sent = [r for r in caplog.records if r.getMessage() == "reply sent"]
    assert len(sent) == 1
    line = sent[0].__dict__
    event = next(e for e in _events(memory_broker, rid) if e.type == "reply.sent")
    assert (line["reply_id"], line["case_id"], line["platform"]) == (
        rid,
        reply["case_id"],
        "mastodon",
    )
    assert line["post_id"] == reply["post_id"] and line["trace_id"] == event.trace_id
    assert not any("On it!" in repr(r.__dict__) for r in caplog.records), "no reply text"
