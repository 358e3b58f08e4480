"""A steady flow of posts through a running system, and how long a fault held it up.

``PostFlow`` sends a few posts to ingest every tick from a background thread (retrying a
batch until ingest accepts it, as a client would) and watches the router's cases from
another, noting when each post first appears in a case. ``recovery(t)`` is the time from a
fault at ``t`` to the first case assigned, on each partition the fault touched, for a post
sent after the fault; the slowest partition is the figure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from chorus_common.messaging.bus.partition import KeyPartitioner

from tests.support.wait import wait_for_sync
from tests.test_e2e_pipeline import _post, all_cases
from tests.test_fault_tolerance import _send


@dataclass
class PostFlow:
    client: httpx.Client
    ingest_url: str
    router_url: str
    run: str
    partitions: int
    threads: int = 24
    per_tick: int = 2
    tick_s: float = 0.2
    sent_at: dict[int, float] = field(default_factory=dict)
    seen_at: dict[int, float] = field(default_factory=dict)
    _stop_sending: threading.Event = field(default_factory=threading.Event)
    _stop_watching: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    _names: list[str] = field(default_factory=list)
    _partition: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Conversations chosen so that every partition carries the same number of them.
        every = list(range(self.partitions))
        per = max(1, self.threads // self.partitions)
        count = dict.fromkeys(every, 0)
        k = 0
        while min(count.values()) < per:
            name = f"{self.run}-t{k}"
            p = KeyPartitioner()(f"generic:{name}".encode(), every, every)
            if count[p] < per:
                count[p] += 1
                self._names.append(name)
                self._partition[name] = p
            k += 1

    def partition_of(self, i: int) -> int:
        return self._partition[self.thread_of(i)]

    def thread_of(self, i: int) -> str:
        return self._names[i % len(self._names)]

    def start(self) -> PostFlow:
        for target in (self._send_loop, self._watch_loop):
            t = threading.Thread(target=self._guard(target), daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def _guard(self, fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                fn()
            except BaseException as exc:  # surfaced by stop()
                self.errors.append(exc)

        return run

    def _send_loop(self) -> None:
        i = 0
        while not self._stop_sending.is_set():
            batch = [
                _post(self.run, j, thread=self.thread_of(j)) for j in range(i, i + self.per_tick)
            ]
            started = time.monotonic()
            _send(self.client, self.ingest_url, batch)
            for j in range(i, i + self.per_tick):
                self.sent_at[j] = started
            i += self.per_tick
            self._stop_sending.wait(max(0.0, self.tick_s - (time.monotonic() - started)))

    def _watch_loop(self) -> None:
        while not self._stop_watching.is_set():
            try:
                cases = all_cases(self.client, self.router_url)
            except httpx.HTTPError:
                cases = []
            now = time.monotonic()
            for case in cases:
                if self.run not in case["thread_id"]:
                    continue
                for pid in case["post_ids"]:
                    self.seen_at.setdefault(int(pid.rsplit("-", 1)[1]), now)
            self._stop_watching.wait(0.25)

    @property
    def sent(self) -> int:
        return len(self.sent_at)

    def wait_flowing(self, cases: int = 20, timeout: float = 120) -> None:
        wait_for_sync(
            lambda: len(self.seen_at) >= cases, timeout=timeout, what=f"{cases} posts routed"
        )

    def recovery(self, fault_at: float, partitions: set[int], timeout: float = 180) -> float:
        """Seconds from ``fault_at`` until, on every partition of ``partitions``, a post sent
        after the fault became a case (the slowest partition)."""
        first: dict[int, float] = {}

        def recovered() -> bool:
            for i, seen in list(self.seen_at.items()):
                sent = self.sent_at.get(i)
                p = self.partition_of(i)
                if sent is not None and sent >= fault_at and p in partitions:
                    first[p] = min(first.get(p, seen), seen)
            return set(first) >= partitions

        wait_for_sync(recovered, timeout=timeout, interval=0.2, what=f"cases again on {partitions}")
        return max(first.values()) - fault_at

    def stop(self) -> int:
        """Stop sending (the watcher goes on until ``close``); the number of posts sent."""
        self._stop_sending.set()
        self._threads[0].join(90)
        if self.errors:
            raise self.errors[0]
        return self.sent

    def close(self) -> None:
        self._stop_sending.set()
        self._stop_watching.set()
        for t in self._threads:
            t.join(90)
