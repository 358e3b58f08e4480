"""`chorus lag`: consumer lag per service, consumer group, topic and partition."""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import asdict
from typing import Any

from chorus_common.addresses import parse_bootstrap
from chorus_common.dependencies import check_broker, wait_for_dependency
from chorus_common.settings import CommonSettings
from chorus_common.settings_errors import ConfigError, load_settings

from chorus_cli.consumer_lag import GROUP_PREFIX, PartitionLag, group_lags

COLUMNS = ("service", "group", "topic", "partition", "committed", "end", "lag")


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "lag",
        help="consumer lag of the Chorus groups per topic and partition (KAFKA_BOOTSTRAP_SERVERS)",
    )
    p.add_argument("--bootstrap", help="brokers (default: KAFKA_BOOTSTRAP_SERVERS)")
    p.add_argument("--group", default=GROUP_PREFIX, help="only groups starting with this")
    p.add_argument("--json", action="store_true", help="one JSON object per partition")
    p.set_defaults(func=lag)


def rows(lags: list[PartitionLag]) -> list[tuple[str, ...]]:
    return [
        (
            x.service,
            x.group,
            x.topic,
            str(x.partition),
            "-" if x.committed is None else str(x.committed),
            str(x.end),
            str(x.lag),
        )
        for x in lags
    ]


def lag(args: argparse.Namespace) -> int:
    settings = load_settings(CommonSettings)
    bootstrap = args.bootstrap or settings.kafka_bootstrap_servers
    try:
        parse_bootstrap(bootstrap)
    except ValueError as exc:
        raise ConfigError(f"invalid --bootstrap: {exc}") from None
    lags = asyncio.run(
        wait_for_dependency(
            "KAFKA_BOOTSTRAP_SERVERS",
            "broker",
            lambda: group_lags(bootstrap, prefix=args.group),
            bound_s=settings.dependency_wait_seconds,
            check=lambda: check_broker(bootstrap),
        )
    )
    if args.json:
        for x in lags:
            print(json.dumps({"service": x.service, **asdict(x), "lag": x.lag}))
        return 0
    if not lags:
        print(f"no consumer group named {args.group}* has committed offsets on {bootstrap}")
        return 0
    table = [COLUMNS, *rows(lags)]
    widths = [max(len(r[i]) for r in table) for i in range(len(COLUMNS))]
    for r in table:
        print(
            "  ".join(
                c.rjust(w) if i >= 3 else c.ljust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
    print(f"total lag: {sum(x.lag for x in lags)}")
    return 0
