"""`chorus report volume --png` renders a report fetched over REST.

``uv run python -m services.analytics.tests.test_analytics_plot`` regenerates the example
image of docs/analytics.md from the same synthetic day.
"""

from __future__ import annotations

import asyncio
import math
import random
import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from chorus_analytics.app import create_app
from chorus_analytics.settings import AnalyticsSettings
from chorus_cli.main import build_parser
from chorus_cli.report import run as report_run
from chorus_common.messaging.bus.memory import MemoryBroker

from services.analytics.tests.analytics_kit import at, encode, post_event
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for

QUIET: dict[str, Any] = {"spike_check_seconds": 0, "metrics_refresh_seconds": 0}
PLATFORMS = {"x": 1.0, "instagram": 0.6, "facebook": 0.4, "trustpilot": 0.15}


def synthetic_day(seed: int = 7):
    """9 March 2026, 00:00-24:00 UTC: a daily rhythm and an evening surge on X."""
    rng = random.Random(seed)
    out = []
    for hour in range(24):
        daily = 1 + math.sin((hour - 9) / 24 * 2 * math.pi)
        for platform, weight in PLATFORMS.items():
            n = _poisson(rng, 8 * weight * daily)
            if platform == "x" and hour in (18, 19):
                n += 35
            for i in range(n):
                negative = (platform == "x" and hour in (18, 19)) or rng.random() < 0.2
                out.append(
                    post_event(
                        f"{hour}-{i}",
                        platform=platform,
                        channel=f"brand-{platform}",
                        created=at(-34 * 60 + hour * 60 + rng.uniform(0, 59)),
                        sentiment="negative" if negative else "positive",
                        author=f"u{rng.randint(1, 200)}",
                    )
                )
    return out


def _poisson(rng: random.Random, lam: float) -> int:
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


async def volume_report(sqlite_url: str) -> dict[str, Any]:
    broker = MemoryBroker(partitions=4)
    app = create_app(
        AnalyticsSettings(database_url=sqlite_url, **FAST_KAFKA_ENV, **QUIET), bus=broker
    )
    posts = synthetic_day()
    async with running(app) as client:
        await broker.append(encode(posts))
        runtime = app.state.runtime
        await wait_for(
            lambda: _handled(runtime, len(posts)), timeout=60, what="synthetic day consumed"
        )
        params = {
            "from": at(-34 * 60).isoformat(),
            "to": at(-10 * 60).isoformat(),
            "group_by": "platform",
        }
        r = await client.get("/v1/reports/volume", params=params, headers=auth("admin"))
        assert r.status_code == 200
        return r.json()


async def _handled(runtime, n):
    return sum(c.handled for c in runtime.consumers) >= n


def render_via_cli(report: dict[str, Any], png: Path) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=report)

    client = httpx.Client(base_url="http://analytics", transport=httpx.MockTransport(handler))
    args = build_parser().parse_args(
        [
            "report",
            "volume",
            "--since",
            "24h",
            "--group-by",
            "platform",
            "--png",
            str(png),
            "--token",
            "t",
        ]
    )
    assert report_run(args, client=client) == 0
    return seen


@pytest.mark.unit
async def test_report_volume_png_renders_the_fetched_series(sqlite_url, tmp_path) -> None:
    report = await volume_report(sqlite_url)
    assert report["totals"]["platform"]["x"] > report["totals"]["platform"]["trustpilot"]
    png = tmp_path / "volume.png"
    seen = await asyncio.to_thread(render_via_cli, report, png)
    assert seen[0].url.path == "/v1/reports/volume"
    assert seen[0].url.params["since"] == "24h" and seen[0].url.params["group_by"] == "platform"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


if __name__ == "__main__":
    target = Path(__file__).resolve().parents[3] / "docs" / "analytics-volume.png"
    with tempfile.TemporaryDirectory() as tmp:
        rep = asyncio.run(volume_report(f"sqlite+aiosqlite:///{tmp}/example.db"))
    render_via_cli(rep, target)
    print(f"wrote {target}")
