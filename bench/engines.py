"""The engines a benchmark run measures: the embedded default (Tansu, one SQLite file per
service) and, with ``--kafka`` and/or ``--postgres``, Apache Kafka (one KRaft node from Maven
Central, idempotent producer, acks=all) and/or PostgreSQL (one server, one database per
service), each started by the bench for the systems that run on it."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

EMBEDDED = "embedded"


@dataclass(frozen=True)
class Engine:
    """What a :class:`bench.system.System` runs on."""

    kafka: bool = False
    postgres: bool = False

    @property
    def name(self) -> str:
        parts = [p for p, on in (("kafka", self.kafka), ("postgres", self.postgres)) if on]
        return "+".join(parts) or EMBEDDED

    def service_env(self) -> dict[str, str]:
        """Settings every service gets on this engine (the README's ones for Apache Kafka)."""
        if not self.kafka:
            return {}
        return {"KAFKA_ENABLE_IDEMPOTENCE": "true", "KAFKA_ACKS": "all"}


def engines(args: argparse.Namespace) -> list[Engine]:
    """The embedded default first, then the real engines asked for (one more run of the phases
    that start a system, with every engine asked for together)."""
    runs = [Engine()]
    if args.kafka or args.postgres:
        runs.append(Engine(kafka=args.kafka, postgres=args.postgres))
    return runs


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--kafka", action="store_true",
                    help="also run the phases on Apache Kafka 4 (one node from Maven Central, "
                         "needs java 17+ and mvn), reported beside the embedded broker")  # fmt: skip
    ap.add_argument("--postgres", action="store_true",
                    help="also run the phases on PostgreSQL (a server started by the bench, one "
                         "database per service), reported beside SQLite; with --kafka, both "
                         "in one run")  # fmt: skip
