"""Topic provisioning: create Chorus's topics with the intended partition count (idempotent).

Tansu auto-creates unknown topics with 4 partitions on any produce, subscribe or describe,
so this must run before any service starts, and must only *list* before creating.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    InvalidPartitionsError,
    InvalidReplicationFactorError,
    KafkaError,
    TopicAlreadyExistsError,
    for_code,
)
from chorus_common.contracts.topics import ALL_TOPICS
from chorus_common.dependencies import DependencyRefused, check_broker, wait_for_dependency

log = logging.getLogger(__name__)

# The setting behind each answer of the broker that no retry changes.
_SETTING_OF = {
    InvalidReplicationFactorError: "TOPIC_REPLICATION_FACTOR",
    InvalidPartitionsError: "TOPIC_PARTITIONS",
}


async def provision_topics(
    bootstrap: str,
    *,
    partitions: int = 4,
    replication_factor: int = 1,
    topics: Sequence[str] = ALL_TOPICS,
    timeout_s: float = 30.0,
) -> list[str]:
    """Create the missing topics; returns the names created (empty when all existed).

    An unreachable broker is retried for ``timeout_s`` (then DependencyUnavailable); a topic
    the broker refuses to create raises DependencyRefused naming the setting."""

    async def attempt() -> list[str]:
        return await _provision(bootstrap, partitions, replication_factor, topics)

    return await wait_for_dependency(
        "KAFKA_BOOTSTRAP_SERVERS",
        "broker",
        attempt,
        bound_s=timeout_s,
        check=lambda: check_broker(bootstrap),
        permanent=_refusal,
    )


def _refusal(exc: BaseException) -> DependencyRefused | None:
    if isinstance(exc, KafkaError) and not exc.retriable:
        setting = _SETTING_OF.get(type(exc), "KAFKA_BOOTSTRAP_SERVERS")
        return DependencyRefused(setting, f"the broker refused the topics: {exc}")
    return None


async def _provision(
    bootstrap: str, partitions: int, replication_factor: int, topics: Sequence[str]
) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            response = await admin.create_topics(
                [
                    NewTopic(t, num_partitions=partitions, replication_factor=replication_factor)
                    for t in missing
                ]
            )
            for topic, code, *rest in response.topic_errors:
                if code and for_code(code) is not TopicAlreadyExistsError:
                    message = rest[0] if rest and rest[0] else topic
                    raise for_code(code)(f"{topic}: {message}")
            log.info("topics created", extra={"topics": missing, "partitions": partitions})
        return missing
    finally:
        await admin.close()
