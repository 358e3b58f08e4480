"""Wiring of shared accountability into the router: the before-commit hook, the extra
consumer work (owner activity, routed posts) and the background passes."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import orjson
from chorus_common.contracts.events import PostReceived
from chorus_common.messaging.envelope import Envelope
from chorus_common.persistence import bulk
from sqlalchemy import delete, update

from chorus_router import models
from chorus_router.accountability.caselog import record
from chorus_router.accountability.fairness_report import AccountabilityMetrics, team_fairness
from chorus_router.accountability.idle_pass import idle_once
from chorus_router.accountability.policy import AccountabilityPolicy
from chorus_router.accountability.rebalance_pass import rebalance_once
from chorus_router.casework.store import known_posts
from chorus_router.core import RouterCore, Uow
from chorus_router.handlers import HandlerFn

log = logging.getLogger(__name__)
REPLY_TYPES = (
    "reply.drafted",
    "reply.approval_requested",
    "reply.approved",
    "reply.rejected",
    "reply.sent",
    "reply.failed",
)
CHUNK = 200


async def owner_activity(events: list[Envelope], *, uow: Uow) -> None:
    """Work on a reply means the owner acted: their idle window restarts (idempotent)."""
    ids = sorted({str(e.payload["case_id"]) for e in events})
    w = models.case_watch
    await uow.session.execute(
        update(w).where(w.c.case_id.in_(ids)).values(since=uow.now, noticed_at=None)
    )


ROUTED_COLUMNS = ("post_id", "case_id", "received_at", "post")


async def record_posts(events: list[Envelope], *, uow: Uow) -> None:
    """Keep each routed post (first revision) for what-if replays; idempotent by post id
    (the first of a batch's repeats of one post is kept)."""
    rows: dict[str, tuple[str, str, datetime, str]] = {}
    posts = [_complete(e) for e in events if not e.payload.get("is_update")]
    # Routing ran first in this unit and noted each post's case; a post it did not see
    # (none, unless routing is replaced) is looked up where routing keeps it.
    cases = uow.post_cases
    missing = [p["id"] for p in posts if p["id"] not in cases]
    if missing:
        cases = {**cases, **await known_posts(uow.session, missing)}
    for post in posts:
        case_id = cases.get(post["id"])
        if case_id is None or post["id"] in rows:
            continue
        rows[post["id"]] = (
            post["id"],
            case_id,
            datetime.fromisoformat(post["received_at"]),
            orjson.dumps(post).decode(),
        )
    stmt = bulk.insert_ignore(
        uow.core.runtime.dialect, models.routed_posts, ("post_id",), ROUTED_COLUMNS
    )
    await bulk.run(uow.session, stmt, list(rows.values()))


def _complete(event: Envelope) -> dict[str, Any]:
    """The event's post as JSON, with its reception time: ingest always writes it, another
    producer may leave it to the schema's default, which the validated post holds."""
    post: dict[str, Any] = event.payload["post"]
    if "received_at" in post:
        return post
    received: PostReceived = event.parsed()
    return {**post, "received_at": received.post.received_at.isoformat()}


def _both(first: HandlerFn, then: HandlerFn) -> HandlerFn:
    async def handler(events: list[Envelope], *, uow: Uow) -> None:
        await first(events, uow=uow)
        await then(events, uow=uow)

    return handler


def with_accountability(
    table: Mapping[str, HandlerFn], policy: AccountabilityPolicy
) -> dict[str, HandlerFn]:
    """``table`` plus owner activity on reply events and routed-post recording."""
    out = dict(table)
    made: dict[HandlerFn, HandlerFn] = {}
    for t in REPLY_TYPES:
        fn = table.get(t)
        if fn is None:
            out[t] = owner_activity
        else:
            out[t] = made.setdefault(fn, _both(owner_activity, fn))
    if policy.record_posts and "post.received" in table:
        out["post.received"] = _both(table["post.received"], record_posts)
    return out


class Passes:
    """Background work on each router tick: rebalancing every tick; idle owners, fairness
    gauges and what-if retention on their own periods."""

    def __init__(self, core: RouterCore, metrics: AccountabilityMetrics) -> None:
        self.core = core
        self.metrics = metrics
        # The idle check first runs one period after start, the other jobs at the first tick:
        # idle thresholds are tens of minutes, and a check at start-up would race whoever
        # moves the clock right after it (the tests' injected clock).
        period = core.settings.router_accountability.idle_check_seconds
        self.due: dict[str, float] = {"idle": time.monotonic() + period}

    def _due(self, name: str, every: float) -> bool:
        now = time.monotonic()
        if now < self.due.get(name, 0.0):
            return False
        self.due[name] = now + every
        return True

    async def __call__(self) -> None:
        p = self.core.settings.router_accountability
        jobs: list[tuple[str, float, Callable[[], Awaitable[None]]]] = [
            ("rebalance", 0.0, self.rebalance),
            ("idle", p.idle_check_seconds, self.idle),
            ("metrics", p.metrics_seconds, self.refresh_metrics),
            ("prune", 3600.0, self.prune),
        ]
        for name, every, job in jobs:
            if not self._due(name, every):
                continue
            try:
                await job()
            except Exception:
                log.exception("accountability pass %s failed; will retry", name)

    async def rebalance(self) -> None:
        out = await rebalance_once(self.core)
        self.metrics.moves.labels("departure").inc(out.moved + out.queued)
        self.metrics.moves.labels("return").inc(out.taken_back)

    async def idle(self) -> None:
        out = await idle_once(self.core)
        self.metrics.idle.labels("notice").inc(out.noticed)
        self.metrics.idle.labels("reassign").inc(out.reassigned)
        self.metrics.idle.labels("escalate").inc(out.escalated)

    async def refresh_metrics(self) -> None:
        async with self.core.runtime.sessionmaker() as session:
            snap = await self.core.cache.get(session)
            for team in sorted(snap.directory.teams):
                self.metrics.publish(await team_fairness(self.core, session, team))

    async def prune(self) -> None:
        days = self.core.settings.router_accountability.routed_posts_days
        cutoff = self.core.clock() - timedelta(days=days)
        async with self.core.unit() as uow:
            t = models.routed_posts
            await uow.session.execute(delete(t).where(t.c.received_at < cutoff))


def install(core: RouterCore) -> AccountabilityMetrics:
    """Register the hook and the passes on ``core``; the metrics go on the app's registry."""
    metrics = AccountabilityMetrics(core.runtime.metrics.registry)

    async def hook(uow: Uow) -> None:
        for team, outcome in await record(uow):
            metrics.interventions.labels(team, outcome).inc()

    core.before_commit.append(hook)
    core.background_passes.append(Passes(core, metrics))
    return metrics
