"""What the broker behind a bootstrap can do, asked once per process: whether it grants an
idempotent producer, and whether its end offsets count records.

The embedded Tansu broker refuses ``InitProducerId`` (so no idempotent producer) and its
``ListOffsets`` counts record batches, not records; Apache Kafka does both. The producer turns
idempotence on or off from this (``KAFKA_ENABLE_IDEMPOTENCE=auto``), consumers compute lag
from end offsets or from the high-water marks of their fetches.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Literal

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import for_code
from aiokafka.protocol.transaction import InitProducerIdRequest

log = logging.getLogger(__name__)

# The cluster id Tansu reports: the only broker Chorus knows with the gaps above.
EMBEDDED_CLUSTER_ID = "tansu_cluster"
Idempotence = Literal["auto"] | bool


class IdempotenceRefused(RuntimeError):
    """The producer would run without idempotence where that is not allowed."""


@dataclass(frozen=True)
class BrokerCapabilities:
    cluster_id: str
    # InitProducerId's error code: 0 when the broker grants producer ids.
    init_producer_id_error: int

    @property
    def embedded(self) -> bool:
        return self.cluster_id == EMBEDDED_CLUSTER_ID

    @property
    def idempotent_producer(self) -> bool:
        return self.init_producer_id_error == 0

    @property
    def exact_end_offsets(self) -> bool:
        return not self.embedded


async def probe_broker(bootstrap: str, *, timeout_s: float = 30.0) -> BrokerCapabilities:
    """Ask the broker for its cluster id and for a producer id (what an idempotent producer
    asks first), again while the answer is a retriable error (a coordinator still loading).
    Raises the client's error when the broker cannot be reached in ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    try:
        await asyncio.wait_for(admin.start(), timeout_s)
        cluster = await asyncio.wait_for(admin.describe_cluster(), timeout_s)
        while True:
            response = await asyncio.wait_for(
                # No transactional id: the request an idempotent producer makes first.
                admin._send_request(InitProducerIdRequest(None, 60000)),
                timeout_s,
            )
            code = int(response.error_code)
            if code == 0 or not for_code(code).retriable or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
    finally:
        await admin.close()
    if code and for_code(code).retriable:
        raise for_code(code)(f"InitProducerId still failing after {timeout_s}s")
    return BrokerCapabilities(
        cluster_id=str(cluster.get("cluster_id") or ""), init_producer_id_error=code
    )


class BrokerProbe:
    """One probe per process and bootstrap, shared by its producer and consumers."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self._found: BrokerCapabilities | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> BrokerCapabilities:
        async with self._lock:
            if self._found is None:
                self._found = await probe_broker(self.bootstrap)
        return self._found


def resolve_idempotence(
    setting: Idempotence,
    caps: BrokerCapabilities,
    *,
    production: bool,
    bootstrap: str,
    acks_all: bool = True,
) -> bool:
    """KAFKA_ENABLE_IDEMPOTENCE against what the broker can do: ``auto`` is on wherever the
    broker grants it and off only on the embedded broker outside production; anything that
    would run without it silently raises IdempotenceRefused instead."""
    if setting is False:
        if production:
            raise IdempotenceRefused("KAFKA_ENABLE_IDEMPOTENCE=false is refused in production")
        return False
    if not acks_all:
        if setting is True or production:
            raise IdempotenceRefused("the idempotent producer needs KAFKA_ACKS=all")
        return False
    if caps.idempotent_producer:
        return True
    if setting == "auto" and caps.embedded and not production:
        return False
    if production:
        hint = "production runs on Apache Kafka with the idempotent producer on"
    elif setting is True:
        hint = "set KAFKA_ENABLE_IDEMPOTENCE=auto (off on the embedded broker only) or false"
    else:
        hint = "grant it (IdempotentWrite) or set KAFKA_ENABLE_IDEMPOTENCE=false knowingly"
    where = "the embedded broker" if caps.embedded else f"the broker at {bootstrap}"
    raise IdempotenceRefused(
        f"{where} grants no idempotent producer "
        f"(InitProducerId error {caps.init_producer_id_error}): {hint}"
    )
