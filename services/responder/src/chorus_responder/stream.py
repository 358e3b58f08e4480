"""In-process fan-out of reply activity to the SSE stream, filtered per subscriber."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Callable
from typing import Any

StreamFilter = Callable[[dict[str, Any]], bool]
# (event id, event): ids are this instance's sequence numbers, for Last-Event-ID.
Numbered = tuple[int, dict[str, Any]]


class Broadcaster:
    """Each subscriber gets a bounded queue; a slow one loses its oldest events, never blocks.
    The last ``history`` events are kept so a reconnecting client can resume after an id."""

    def __init__(self, maxsize: int = 256, history: int = 2000) -> None:
        self._subs: set[tuple[asyncio.Queue[Numbered], StreamFilter]] = set()
        self._maxsize = maxsize
        self._history: deque[Numbered] = deque(maxlen=history)
        self._seq = itertools.count(1)

    def subscribe(self, accept: StreamFilter, after: int | None = None) -> asyncio.Queue[Numbered]:
        q: asyncio.Queue[Numbered] = asyncio.Queue(self._maxsize)
        if after is not None:
            for item in self._history:
                if item[0] > after and accept(item[1]):
                    _offer(q, item)
        self._subs.add((q, accept))
        return q

    def unsubscribe(self, q: asyncio.Queue[Numbered]) -> None:
        self._subs = {s for s in self._subs if s[0] is not q}

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    def publish(self, event: dict[str, Any]) -> None:
        item = (next(self._seq), event)
        self._history.append(item)
        for q, accept in list(self._subs):
            if accept(event):
                _offer(q, item)


def _offer(q: asyncio.Queue[Numbered], item: Numbered) -> None:
    """Queue ``item``, dropping the oldest queued one when full."""
    if q.full():
        try:
            q.get_nowait()
        except asyncio.QueueEmpty:
            pass
    q.put_nowait(item)
