"""Debian's `kcat` (librdkafka) as another team's Kafka client: produce and consume with it.

`make kcat` installs it (`apt-get install kcat`). librdkafka's default partitioner is
``consistent_random`` (CRC32 of the key); ``murmur2_random`` is the Java client's murmur2."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable
from typing import Any

MURMUR2 = "murmur2_random"
DELIMITER = "\t"  # between key and value on a line: neither keys nor compact JSON hold a tab


def kcat() -> str:
    path = shutil.which("kcat")
    assert path, "kcat is not installed: `make kcat` installs it (apt-get install kcat)"
    return path


def require_apache_kafka() -> None:
    """kcat speaks to Apache Kafka only: librdkafka cannot read the embedded Tansu broker's
    ApiVersions answer, so these tests run in `make test-kafka` (CHORUS_TEST_BROKER=kafka)."""
    broker = os.environ.get("CHORUS_TEST_BROKER", "tansu")
    assert broker == "kafka", (
        f"the kcat tests need Apache Kafka, not {broker}: run them with `make test-interop` or `make test-kafka`"
    )


def produce(
    bootstrap: str,
    topic: str,
    records: Iterable[tuple[str, bytes]],
    *,
    partitioner: str | None = MURMUR2,
) -> None:
    """Send ``(key, value)`` records with kcat and wait for every delivery (acks=all).

    ``partitioner=None`` leaves librdkafka's own default."""
    lines = []
    for key, value in records:
        assert DELIMITER not in key and b"\n" not in value and b"\t" not in value, key
        lines.append(f"{key}{DELIMITER}{value.decode('utf-8')}\n")
    args = [kcat(), "-P", "-b", bootstrap, "-t", topic, "-K", DELIMITER, "-X", "acks=all"]
    if partitioner:
        args += ["-X", f"partitioner={partitioner}"]
    done = subprocess.run(args, input="".join(lines), text=True, capture_output=True, timeout=60)
    assert done.returncode == 0, f"kcat -P failed: {done.stderr[-2000:]}"


def consume(bootstrap: str, topic: str) -> list[dict[str, Any]]:
    """Every record of ``topic`` so far, read by kcat from the beginning of each partition:
    dicts with ``partition``, ``offset``, ``key`` and ``payload`` (strings)."""
    done = subprocess.run(
        [kcat(), "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-J"],
        text=True,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, f"kcat -C failed: {done.stderr[-2000:]}"
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def partitions(bootstrap: str, topic: str) -> int:
    """How many partitions ``topic`` has, from the broker's metadata as kcat reads it."""
    done = subprocess.run(
        [kcat(), "-L", "-b", bootstrap, "-t", topic, "-J"], text=True, capture_output=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, f"kcat -L failed: {done.stderr[-2000:]}"
    (meta,) = json.loads(done.stdout)["topics"]
    return len(meta["partitions"])
