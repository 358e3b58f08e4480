"""In-process fan-out of reply activity to the SSE stream, filtered per subscriber."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

StreamFilter = Callable[[dict[str, Any]], bool]


class Broadcaster:
    """Each subscriber gets a bounded queue; a slow one loses its oldest events, never blocks."""

    def __init__(self, maxsize: int = 256) -> None:
        self._subs: set[tuple[asyncio.Queue[dict[str, Any]], StreamFilter]] = set()
        self._maxsize = maxsize

    def subscribe(self, accept: StreamFilter) -> asyncio.Queue[dict[str, Any]]:
        q: asyncio.Queue[dict[str, Any]] = asyncio.Queue(self._maxsize)
        self._subs.add((q, accept))
        return q

    def unsubscribe(self, q: asyncio.Queue[dict[str, Any]]) -> None:
        self._subs = {s for s in self._subs if s[0] is not q}

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    def publish(self, event: dict[str, Any]) -> None:
        for q, accept in list(self._subs):
            if not accept(event):
                continue
            if q.full():
                try:
                    q.get_nowait()
                except asyncio.QueueEmpty:
                    pass
            q.put_nowait(event)
