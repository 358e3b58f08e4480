"""On the real broker and both databases: posts and cases in from Kafka, a legal sign-off, the
reply sent to the (fake) platform and reply events out on chorus.replies.v1."""

from __future__ import annotations

import pytest
from chorus_common.contracts import topics
from chorus_common.messaging.envelope import Envelope
from chorus_common.runtime import KafkaBus
from chorus_responder.app import create_app

from services.responder.tests.responder_fake_platform import FakePlatform, ServedFake
from services.responder.tests.responder_helpers import (
    agent,
    envelopes,
    make_case,
    make_post,
    out_messages,
    settings,
    wait_seeded,
)
from tests.support.fixtures import running
from tests.support.wait import wait_for


@pytest.mark.integration
async def test_reply_flow_on_the_broker_and_each_database(broker, db_url) -> None:
    with ServedFake(FakePlatform()) as fake:
        cfg = settings(db_url, kafka_bootstrap_servers=broker, platform_base_url=fake.base_url)
        app = create_app(cfg)
        bus = KafkaBus(cfg)
        producer = bus.producer()
        await producer.start()
        consumer = bus.consumer("test-replies-reader", [topics.REPLIES])
        await consumer.start()
        try:
            async with running(app) as client:
                post = make_post(platform="reddit", kind="comment", channel="brandbot")
                case = make_case(post, approvals_required=("legal",))
                await producer.send_many(out_messages(envelopes(post, case)))
                await wait_seeded(app, post, case)
                sam = agent("sam", "support")
                r = await client.post(
                    f"/v1/cases/{case.case_id}/replies", json={"text": "Fixed!"}, headers=sam
                )
                rid = r.json()["reply_id"]
                r = await client.post(
                    f"/v1/replies/{rid}/approve",
                    json={"comment": "ok"},
                    headers=agent("lea", "legal"),
                )
                assert r.json()["status"] == "approved"
                assert (
                    await client.post(f"/v1/replies/{rid}/send", headers=sam)
                ).status_code == 202

                seen: list[Envelope] = []

                async def sent_event():
                    for rec in await consumer.getmany(200, 100):
                        seen.append(Envelope.from_bytes(rec.value))
                    return [e for e in seen if e.type == "reply.sent"]

                sent = (await wait_for(sent_event, timeout=60, what="reply.sent on Kafka"))[0]
        finally:
            await consumer.stop()
            await producer.stop()
    assert [e.type for e in seen if e.payload["reply_id"] == rid][:3] == [
        "reply.drafted",
        "reply.approval_requested",
        "reply.approved",
    ]
    assert sent.payload["platform_reply_id"].startswith("t1_")
    assert sent.payload["platform_url"].startswith("https://www.reddit.com/")
    assert sent.payload["case_id"] == case.case_id
    form = fake.fake.calls("POST /api/comment")[0].form()
    assert form == {"api_type": "json", "thing_id": f"t1_{post.native_id}", "text": "Fixed!"}
