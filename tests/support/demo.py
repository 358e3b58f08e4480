"""The demo's parts for tests: the sandbox that plays the platforms, and the demo feed and
staff of `chorus run` running in a thread against a system."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from chorus_cli.demo_feed import run_demo_feed
from chorus_cli.demo_replies import run_reply_demo
from chorus_cli.procs import ServiceProcess, start_service, stop_all, wait_ready
from chorus_common.auth import create_token
from chorus_common.embedded import free_port
from chorus_common.settings import DEV_TOKEN_SECRET


@contextmanager
def sandbox(var: Path) -> Iterator[tuple[ServiceProcess, int]]:
    """The platforms' outbound APIs and an SMTP sink, as `chorus run` starts them for the demo."""
    smtp_port = free_port()
    svc = start_service(
        "sandbox",
        port=free_port(),
        env={"SMTP_PORT": str(smtp_port)},
        log_dir=var / "log",
        module="chorus_cli.sandbox",
    )
    try:
        wait_ready(svc, 30.0, "/healthz")
        yield svc, smtp_port
    finally:
        stop_all([svc])


def sandbox_env(platforms: ServiceProcess, smtp_port: int) -> dict[str, str]:
    """What the responder needs to send to the sandbox."""
    return {
        "RESPONDER_PLATFORM_BASE_URL": platforms.url,
        "RESPONDER_SMTP_HOST": "127.0.0.1",
        "RESPONDER_SMTP_PORT": str(smtp_port),
    }


class DemoTraffic:
    """The feed and the staff in a thread of their own; each can be stopped on its own."""

    def __init__(self, urls: dict[str, str], rate_per_s: float, staff_interval: float) -> None:
        self.urls, self.rate, self.interval = urls, rate_per_s, staff_interval
        self.feed_done = threading.Event()
        self.staff_done = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        feed_stop, staff_stop = asyncio.Event(), asyncio.Event()
        admin = create_token(DEV_TOKEN_SECRET, sub="admin", role="admin")

        async def watch(done: threading.Event, stop: asyncio.Event) -> None:
            await asyncio.to_thread(done.wait)
            stop.set()

        await asyncio.gather(
            watch(self.feed_done, feed_stop),
            watch(self.staff_done, staff_stop),
            run_demo_feed(self.urls["ingest"], admin, feed_stop, rate_per_s=self.rate),
            run_reply_demo(
                self.urls["responder"],
                self.urls["router"],
                DEV_TOKEN_SECRET,
                staff_stop,
                interval=self.interval,
            ),
        )

    def __enter__(self) -> DemoTraffic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.feed_done.set()
        self.staff_done.set()
        self._thread.join(30)
