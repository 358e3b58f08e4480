"""In-process fan-out of committed case changes and notifications to SSE subscribers."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from chorus_common.messaging.envelope import Envelope


class Item(NamedTuple):
    """One published change. A tuple, not a frozen dataclass: the router publishes every case
    event it commits, seen or not, and a frozen dataclass sets each field through
    ``object.__setattr__``; the event id becomes a string only when a subscriber gets it, as
    most events are published with no one watching."""

    seq: int
    event: str
    payload: dict[str, Any]
    teams: tuple[str, ...]
    member: str | None = None  # notifications: only this member (and admins) see it
    event_id: uuid.UUID | None = None

    @property
    def data(self) -> dict[str, Any]:
        if self.event_id is None:
            return self.payload
        return {**self.payload, "event_id": str(self.event_id)}


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
        seq = self._seq
        for e in events:
            p = e.payload
            team = p.get("team")
            others = p.get("collaborators")
            # most cases have no collaborators: no generator for them
            teams = tuple(t for t in (team, *others) if t) if others else (team,) if team else ()
            items.append(Item(next(seq), e.type, p, teams, None, e.event_id))
        for n in notes:
            items.append(Item(next(seq), "notification", n, (), n.get("member_id")))
        self._history.extend(items)
        if not self._subs:
            return
        for item in items:
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
