"""The demo half of `chorus run`: the sandbox that plays the platforms, the feed of posts, and
the demo staff who answer and close the cases."""

from __future__ import annotations

import asyncio
import importlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chorus_cli.procs import ServiceProcess, start_service


def start_sandbox(var: Path, port: int, smtp_port: int) -> ServiceProcess | None:
    """The local sandbox that plays every platform's outbound API for the demo."""
    try:
        importlib.import_module("chorus_cli.sandbox")
    except ImportError:
        return None
    return start_service(
        "sandbox",
        port=port,
        env={"SMTP_PORT": str(smtp_port)},
        log_dir=var / "log",
        module="chorus_cli.sandbox",
    )


def demo_tasks(
    urls: Mapping[str, str],
    admin: str,
    secret: str,
    stop: asyncio.Event,
    rate_per_s: float,
) -> list[asyncio.Task[Any]]:
    """The feed, and (unless ``DEMO_REPLIES=0``, e.g. for a person answering in the console)
    the demo staff."""
    tasks: list[asyncio.Task[Any]] = []
    try:
        feed = importlib.import_module("chorus_cli.demo_feed")
        tasks.append(
            asyncio.create_task(feed.run_demo_feed(urls["ingest"], admin, stop, rate_per_s))
        )
    except ImportError:
        print("demo feed not available")
    if os.environ.get("DEMO_REPLIES", "1") == "0":
        print("demo      replies off (DEMO_REPLIES=0): cases wait for a person")
        return tasks
    try:
        replies = importlib.import_module("chorus_cli.demo_replies")
        tasks.append(
            asyncio.create_task(
                replies.run_reply_demo(urls["responder"], urls["router"], secret, stop)
            )
        )
    except ImportError:
        print("reply demo not available")
    return tasks
