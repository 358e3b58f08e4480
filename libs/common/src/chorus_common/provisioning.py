"""Topic provisioning: create the DESIGN.md topics with the intended partition count (idempotent).

Tansu auto-creates unknown topics with 4 partitions on any produce, subscribe or describe,
so this must run before any service starts, and must only *list* before creating.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from chorus_common.topics import ALL_TOPICS

log = logging.getLogger(__name__)


async def provision_topics(
    bootstrap: str,
    *,
    partitions: int = 4,
    replication_factor: int = 1,
    topics: Sequence[str] = ALL_TOPICS,
    timeout_s: float = 30.0,
) -> list[str]:
    """Create the missing topics; returns the names created (empty when all existed)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
        try:
            await admin.start()
            break
        except KafkaConnectionError:
            await admin.close()
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.2)
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [
                        NewTopic(
                            t, num_partitions=partitions, replication_factor=replication_factor
                        )
                        for t in missing
                    ]
                )
            except TopicAlreadyExistsError:
                pass
            log.info("topics created", extra={"topics": missing, "partitions": partitions})
        return missing
    finally:
        await admin.close()
