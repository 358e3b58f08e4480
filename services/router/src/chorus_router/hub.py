"""In-process fan-out of committed case changes and notifications to SSE subscribers."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from chorus_common.events import Envelope


@dataclass(frozen=True, slots=True)
class Item:
    seq: int
    event: str
    payload: dict[str, Any]
    teams: tuple[str, ...]
    member: str | None = None  # notifications: only this member (and admins) see it
    event_id: str | None = None

    @property
    def data(self) -> dict[str, Any]:
        if self.event_id is None:
            return self.payload
        return {**self.payload, "event_id": self.event_id}


Filter = Callable[[Item], bool]


@dataclass(eq=False)
class Subscriber:
    accept: Filter
    queue: asyncio.Queue[Item] = field(default_factory=lambda: asyncio.Queue(maxsize=2000))
    overflowed: bool = False


class Hub:
    """Keeps the last ``history`` items so a reconnecting client can resume (Last-Event-ID)."""

    def __init__(self, history: int = 2000) -> None:
        self._subs: set[Subscriber] = set()
        self._history: deque[Item] = deque(maxlen=history)
        self._seq = itertools.count(1)

    def publish(self, events: Iterable[Envelope], notes: Iterable[dict[str, Any]] = ()) -> None:
        items = []
        for e in events:
            p = e.payload
            teams = (p.get("team"), *p.get("collaborators", ()))
            items.append(
                Item(
                    next(self._seq),
                    e.type,
                    p,
                    tuple(t for t in teams if t),
                    event_id=str(e.event_id),
                )
            )
        for n in notes:
            items.append(Item(next(self._seq), "notification", n, (), n.get("member_id")))
        for item in items:
            self._history.append(item)
            for sub in list(self._subs):
                if sub.accept(item):
                    try:
                        sub.queue.put_nowait(item)
                    except asyncio.QueueFull:
                        sub.overflowed = True  # the stream closes; the client reconnects

    def subscribe(self, accept: Filter, after: int | None = None) -> Subscriber:
        sub = Subscriber(accept)
        if after is not None:
            for item in self._history:
                if item.seq > after and accept(item):
                    sub.queue.put_nowait(item)
        self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self._subs.discard(sub)

    @property
    def subscribers(self) -> int:
        return len(self._subs)
