"""The bus: ports (`Producer`, `Consumer`), the Kafka and in-memory adapters, the consumer loop."""

from chorus_common.messaging.bus.base import Consumer, Producer, Record, TopicPartition
from chorus_common.messaging.bus.failures import is_transient
from chorus_common.messaging.bus.loop import ConsumerLoop
from chorus_common.messaging.bus.memory import MemoryBroker

__all__ = [
    "Consumer",
    "ConsumerLoop",
    "MemoryBroker",
    "Producer",
    "Record",
    "TopicPartition",
    "is_transient",
]
