"""What a consumer does with a failure: retry the batch (transient) or dead-letter the record."""

from __future__ import annotations

import logging
from typing import NamedTuple

from aiokafka.errors import KafkaError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from chorus_common.contracts import topics
from chorus_common.contracts.events import DeadLetter
from chorus_common.messaging.bus.base import OutMessage, Producer, Record
from chorus_common.messaging.envelope import make_event, named_post_and_trace
from chorus_common.metrics import Metrics
from chorus_common.retrying import until_it_works

log = logging.getLogger(__name__)


class PermanentError(Exception):
    """A handler error that retrying will not fix; the event goes to the DLQ."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def is_transient(exc: BaseException) -> bool:
    """Errors worth retrying the whole batch for (database or broker unreachable)."""
    if isinstance(exc, PermanentError):
        return False
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OSError | ConnectionError | TimeoutError | KafkaError)


class DeadRecord(NamedTuple):
    """A record bound for the dead-letter topic, with why."""

    record: Record
    code: str
    reason: str
    field: str | None


async def dead_letter(dead: list[DeadRecord], *, producer: Producer, metrics: Metrics) -> None:
    """Publish ``dead`` to ``chorus.dlq.v1`` (retried until the broker takes it), counted."""
    out = []
    for rec, code, reason, field in dead:
        post_id, trace_id = named_post_and_trace(rec.value)
        payload = DeadLetter.of(
            error=reason,
            error_code=code,
            source=f"{metrics.service}:{rec.topic}",
            original=rec.value,
            original_topic=rec.topic,
            original_partition=rec.partition,
            original_offset=rec.offset,
            original_key=rec.key.decode("utf-8", "replace") if rec.key else None,
            field=field,
            post_id=post_id,
        )
        env = make_event("dead_letter", payload, producer=metrics.service, trace_id=trace_id)
        out.append(OutMessage(topics.DLQ, payload.source.encode(), env.to_bytes()))
        metrics.dead_letters.labels(metrics.service, rec.topic, code).inc()
        log.warning(
            "dead-lettered record",
            extra={
                "topic": rec.topic,
                "partition": rec.partition,
                "offset": rec.offset,
                "code": code,
            },
        )
    await until_it_works(log, "DLQ publish failed; retrying")(producer.send_many, out)
