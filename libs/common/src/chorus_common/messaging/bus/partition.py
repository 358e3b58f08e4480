"""Which partition a keyed message goes to: Kafka's default, murmur2 of the key.

The hash is aiokafka's own ``murmur2`` (the Java client's), so every Kafka client puts a key
on the same partition; hashes of recent keys are remembered, as the router sends several
events of one conversation in a row.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from aiokafka.partitioner import murmur2

__all__ = ["CACHE_SIZE", "KeyPartitioner", "murmur2"]

CACHE_SIZE = 16_384


class KeyPartitioner:
    """An aiokafka ``partitioner``: a key's partition as Kafka's default partitioner picks it
    (``murmur2(key) & 0x7fffffff`` modulo the partition count), the hashes of recent keys
    remembered; a message without a key goes to a random available partition."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.hashes: dict[bytes, int] = {}

    def __call__(self, key: bytes | None, all_partitions: Sequence[int],
                 available: Sequence[int]) -> int:  # fmt: skip
        if key is None:
            return random.choice(available or all_partitions)
        h = self.hashes.get(key)
        if h is None:
            if len(self.hashes) >= self.size:
                self.hashes.clear()
            h = self.hashes[key] = murmur2(key) & 0x7FFFFFFF
        return all_partitions[h % len(all_partitions)]
