"""Consume throughput of analytics (posts through the memory bus into SQLite or PostgreSQL).

``uv run python -m services.analytics.tests.analytics_bench [N] [DATABASE_URL]``
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time

from chorus_analytics.app import create_app
from chorus_analytics.settings import AnalyticsSettings
from chorus_common.bus.memory import MemoryBroker

from services.analytics.tests.analytics_kit import at, encode, post_event
from tests.support.fixtures import FAST_KAFKA_ENV, running


async def bench(n: int, url: str) -> float:
    broker = MemoryBroker(partitions=4)
    settings = AnalyticsSettings(
        database_url=url, spike_check_seconds=0, metrics_refresh_seconds=0, **FAST_KAFKA_ENV
    )
    app = create_app(settings, bus=broker)
    posts = [
        post_event(
            f"b{i}",
            channel=f"ch{i % 7}",
            sentiment=("negative", "positive", "neutral")[i % 3],
            author=f"u{i % 300}",
            created=at(i / 10),
            keywords=(f"k{i % 40}",),
            text="#deal of the day",
        )
        for i in range(n)
    ]
    async with running(app):
        runtime = app.state.runtime
        started = time.perf_counter()
        await broker.append(encode(posts))
        while sum(c.handled for c in runtime.consumers) < n:
            await asyncio.sleep(0.05)
        return n / (time.perf_counter() - started)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    with tempfile.TemporaryDirectory() as tmp:
        url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite+aiosqlite:///{tmp}/bench.db"
        rate = asyncio.run(bench(n, url))
    print(f"{n} posts: {rate:.0f} posts/s into {url.split(':')[0]}")


if __name__ == "__main__":
    main()
