"""The responder keeps its own view of cases from case events: idempotently, on both buses."""

from __future__ import annotations

import uuid

import pytest
from chorus_common.contracts.events import CaseEvent
from chorus_common.messaging.bus.base import OutMessage
from chorus_common.messaging.envelope import make_event
from chorus_common.runtime import KafkaBus
from chorus_responder.app import create_app
from chorus_responder.settings import ResponderSettings

from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for


def _case_event(case_id: str, version: int, status: str = "assigned", team: str = "support"):
    payload = CaseEvent(
        case_id=case_id,
        thread_id=f"t-{case_id}",
        status=status,
        team=team,
        assignee="m1",
        priority="P3",
        version=version,
    )
    return make_event("case.assigned", payload, producer="test")


async def _exercise(app, producer_send) -> None:
    async with running(app) as client:
        case_id = uuid.uuid4().hex
        ev = _case_event(case_id, 1)
        await producer_send([ev, ev])  # a redelivery of the same event
        await producer_send([b"{not json"])

        async def seen():
            r = await client.get(f"/v1/cases/{case_id}/replies", headers=auth("admin"))
            return r.status_code == 200 and r.json()

        body = await wait_for(seen, timeout=30, what="case in responder view")
        assert body["case_status"] == "assigned"
        r = await client.get(
            f"/v1/cases/{case_id}/replies", headers=auth("agent", teams=("legal",))
        )
        assert r.status_code == 404, "agents outside the case's team must not see it"
        r = await client.get(f"/v1/cases/{case_id}/replies")
        assert r.status_code == 401


def _encode(items):
    out = []
    for it in items:
        if isinstance(it, bytes):
            out.append(OutMessage("chorus.cases.v1", b"k", it))
        else:
            out.append(OutMessage(it.topic, b"k", it.to_bytes()))
    return out


@pytest.mark.unit
async def test_case_view_follows_case_events_on_memory_bus(memory_broker, sqlite_url) -> None:
    settings = ResponderSettings(database_url=sqlite_url, **FAST_KAFKA_ENV)
    app = create_app(settings, bus=memory_broker)

    async def send(items):
        await memory_broker.append(_encode(items))

    await _exercise(app, send)
    dlq = memory_broker.records("chorus.dlq.v1")
    assert len(dlq) == 1
    assert b"invalid_json" in dlq[0].value


@pytest.mark.integration
async def test_case_view_follows_case_events_on_the_broker(broker, db_url) -> None:
    settings = ResponderSettings(
        database_url=db_url, kafka_bootstrap_servers=broker, **FAST_KAFKA_ENV
    )
    app = create_app(settings)
    producer = KafkaBus(settings).producer()
    await producer.start()
    try:
        await _exercise(app, lambda items: producer.send_many(_encode(items)))
    finally:
        await producer.stop()


@pytest.mark.unit
async def test_case_view_keeps_highest_version_out_of_order(memory_broker, sqlite_url) -> None:
    """Events of one case out of order (in one batch and across batches): the highest wins."""
    settings = ResponderSettings(database_url=sqlite_url, **FAST_KAFKA_ENV)
    app = create_app(settings, bus=memory_broker)
    case_id, marker = uuid.uuid4().hex, uuid.uuid4().hex
    async with running(app) as client:
        await memory_broker.append(
            _encode(
                [
                    _case_event(case_id, 3, status="resolved"),
                    _case_event(case_id, 1, status="new"),
                    _case_event(case_id, 2, status="assigned"),
                ]
            )
        )
        # a later batch with an older version, then a marker on the same partition key
        await memory_broker.append(_encode([_case_event(case_id, 2, status="assigned")]))
        await memory_broker.append(_encode([_case_event(marker, 1)]))

        async def marker_seen():
            r = await client.get(f"/v1/cases/{marker}/replies", headers=auth("admin"))
            return r.status_code == 200

        await wait_for(marker_seen, timeout=30, what="marker case in responder view")
        r = await client.get(f"/v1/cases/{case_id}/replies", headers=auth("admin"))
        assert r.status_code == 200
        assert r.json()["case_status"] == "resolved"
