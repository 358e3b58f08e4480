"""KAFKA_ENABLE_IDEMPOTENCE=auto and consumer lag follow what the broker can do.

The rules are unit tests; the probe, the producer's choice and the lag run against the real
broker of the run: the embedded Tansu under ``make test``, Apache Kafka under
``make test-kafka`` (each test checks the answer expected of its broker).
"""

from __future__ import annotations

import secrets

import pytest
from chorus_common.contracts.topics import POSTS
from chorus_common.messaging.bus.base import OutMessage
from chorus_common.messaging.bus.capabilities import (
    EMBEDDED_CLUSTER_ID,
    BrokerCapabilities,
    IdempotenceRefused,
    probe_broker,
    resolve_idempotence,
)
from chorus_common.messaging.bus.kafka import KafkaConsumer, KafkaProducer
from chorus_common.settings import CommonSettings
from pydantic import ValidationError

from tests.support.brokers import on_kafka
from tests.support.wait import wait_for

KAFKA = BrokerCapabilities(cluster_id="Zm9vYmFyYmF6cXV4", init_producer_id_error=0)
EMBEDDED = BrokerCapabilities(cluster_id=EMBEDDED_CLUSTER_ID, init_producer_id_error=-1)
# A broker that is not the embedded one and still refuses producer ids (e.g. no IdempotentWrite).
LOCKED = BrokerCapabilities(cluster_id="bG9ja2VkY2x1c3Rlcg", init_producer_id_error=31)


def _resolve(setting: object, caps: BrokerCapabilities, **kw: object) -> bool:
    return resolve_idempotence(setting, caps, bootstrap="b:9092", **kw)  # type: ignore[arg-type]


@pytest.mark.unit
def test_auto_is_on_wherever_the_broker_grants_it() -> None:
    assert _resolve("auto", KAFKA, production=False) is True
    assert _resolve("auto", KAFKA, production=True) is True
    assert _resolve(True, KAFKA, production=True) is True


@pytest.mark.unit
def test_auto_is_off_only_on_the_embedded_broker_outside_production() -> None:
    assert _resolve("auto", EMBEDDED, production=False) is False
    with pytest.raises(IdempotenceRefused, match="production runs on Apache Kafka"):
        _resolve("auto", EMBEDDED, production=True)
    with pytest.raises(IdempotenceRefused, match="b:9092 grants no idempotent producer"):
        _resolve("auto", LOCKED, production=False)


@pytest.mark.unit
def test_an_explicit_choice_the_broker_or_environment_cannot_honour_is_refused() -> None:
    with pytest.raises(IdempotenceRefused, match="KAFKA_ENABLE_IDEMPOTENCE=auto"):
        _resolve(True, EMBEDDED, production=False)
    with pytest.raises(IdempotenceRefused, match="refused in production"):
        _resolve(False, KAFKA, production=True)
    assert _resolve(False, KAFKA, production=False) is False
    with pytest.raises(IdempotenceRefused, match="KAFKA_ACKS=all"):
        _resolve(True, KAFKA, production=False, acks_all=False)
    assert _resolve("auto", KAFKA, production=False, acks_all=False) is False


@pytest.mark.unit
def test_settings_default_to_auto_and_refuse_false_in_production() -> None:
    assert CommonSettings().kafka_enable_idempotence == "auto"
    assert CommonSettings(kafka_enable_idempotence="true").kafka_enable_idempotence is True
    with pytest.raises(ValidationError, match="KAFKA_ENABLE_IDEMPOTENCE=false is refused"):
        CommonSettings(
            environment="production",
            kafka_enable_idempotence=False,
            token_secret=secrets.token_hex(32),
        )


@pytest.mark.integration
async def test_the_probe_tells_the_embedded_broker_from_apache_kafka(broker: str) -> None:
    caps = await probe_broker(broker)
    assert caps.embedded is (not on_kafka())
    assert caps.idempotent_producer is on_kafka()
    assert caps.exact_end_offsets is on_kafka()


@pytest.mark.integration
async def test_the_default_producer_is_idempotent_exactly_on_apache_kafka(broker: str) -> None:
    producer = KafkaProducer(CommonSettings(kafka_bootstrap_servers=broker), client_id="t")
    await producer.start()
    try:
        assert producer.idempotent is on_kafka()
        await producer.send_many([OutMessage(POSTS, b"k", b"v")])
    finally:
        await producer.stop()


@pytest.mark.integration
async def test_lag_counts_records_not_batches_then_drops_to_zero_on_commit(broker: str) -> None:
    settings = CommonSettings(
        kafka_bootstrap_servers=broker, kafka_session_timeout_ms=6000, kafka_fetch_max_wait_ms=20
    )
    producer = KafkaProducer(settings, client_id="t")
    await producer.start()
    # One call: each partition's messages travel in one record batch (Tansu's end offsets
    # would count one per partition).
    await producer.send_many([OutMessage(POSTS, f"k{i}".encode(), b"v") for i in range(40)])
    await producer.stop()
    consumer = KafkaConsumer(settings, group_id="lag-t", topics=[POSTS], client_id="t")
    await consumer.start()
    try:
        assert consumer.exact_end_offsets is on_kafka()
        seen: dict[tuple[str, int], int] = {}

        async def all_fetched() -> bool:
            for r in await consumer.getmany(200, 500):
                seen[(r.topic, r.partition)] = max(
                    seen.get((r.topic, r.partition), 0), r.offset + 1
                )
            return sum(seen.values()) == 40

        await wait_for(all_fetched, timeout=30, what="the 40 records fetched")

        async def lag_is(total: int) -> bool:
            return sum((await consumer.lag({})).values()) == total

        await wait_for(lambda: lag_is(40), timeout=10, what="a lag of 40 before any commit")
        await consumer.commit(seen)
        lag = await consumer.lag(seen)
        assert lag.keys() >= seen.keys() and set(lag.values()) == {0}
    finally:
        await consumer.stop()
