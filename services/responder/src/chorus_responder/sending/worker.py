"""The send worker: takes replies queued as ``sending`` and delivers each exactly once as the
platform sees it.

Per attempt: claim a lease; re-check the sign-offs; if an earlier call may have reached the
platform (``needs_check``), look the reply up (or rely on the platform's idempotency) before
anything else; record the attempt (``attempts + 1``, ``needs_check = true``) and commit;
only then call the platform. Success -> ``sent`` + reply.sent; timeouts, 5xx and 429 ->
back-off with jitter (honouring Retry-After); other 4xx -> ``failed`` + reply.failed.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import httpx
from chorus_common.contracts.events import utcnow
from chorus_common.messaging.envelope import Envelope
from chorus_common.runtime import Runtime
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_responder import models, store
from chorus_responder.approvals import block_for_approval, recheck
from chorus_responder.metrics import ResponderMetrics
from chorus_responder.sending import channels
from chorus_responder.sending.base import (
    Channel,
    Delivered,
    OutboundReply,
    PermanentSendError,
    Sender,
    SendError,
    TransientSendError,
)
from chorus_responder.sending.ratelimit import PlatformPacer
from chorus_responder.settings import ResponderSettings
from chorus_responder.stream import Broadcaster

log = logging.getLogger(__name__)
Row = Mapping[str, Any]


def backoff(
    attempt: int, base: float, cap: float, retry_after: float | None, rng: Callable[[], float]
) -> float:
    """Exponential back-off with equal jitter; never sooner than the platform asked."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    delay = ceiling / 2 + rng() * ceiling / 2
    return float(max(delay, retry_after or 0.0))


def _native(post_id: str | None) -> str | None:
    if not post_id:
        return None
    return post_id.split(":", 1)[1] if ":" in post_id else post_id


def outbound(reply: Row, post: Row) -> OutboundReply:
    return OutboundReply(
        reply_id=reply["reply_id"],
        idempotency_key=reply["idempotency_key"],
        adapter=reply["adapter"],
        visibility=reply["visibility"],
        mode=reply["mode"],
        text=reply["text"],
        post_native_id=post["native_id"],
        post_kind=post["kind"],
        post_url=post["url"],
        parent_native_id=_native(post["in_reply_to"]),
        author_id=post["author_id"],
        author_handle=post["author_handle"],
        lang=reply["lang"],
    )


class SendWorker:
    def __init__(
        self,
        runtime: Runtime,
        settings: ResponderSettings,
        broadcaster: Broadcaster,
        metrics: ResponderMetrics,
        senders: Mapping[str, Sender],
        *,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.runtime = runtime
        self.settings = settings
        self.broadcaster = broadcaster
        self.metrics = metrics
        self.senders = senders
        self.rng = rng
        self.owner = f"{socket.gethostname()}:{settings.port}"[:64]
        self.pacer = PlatformPacer(settings.platform_rates_per_minute)
        self._wake = asyncio.Event()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._busy: Counter[str] = Counter()
        self._http: httpx.AsyncClient | None = None

    def kick(self) -> None:
        self._wake.set()

    # ------------------------------------------------------------------ loop
    async def run(self) -> None:
        """Background task for the process lifetime."""
        self._http = httpx.AsyncClient(timeout=self.settings.send_timeout_seconds)
        try:
            await self.recover()
            while True:
                self._wake.clear()
                try:
                    await self.dispatch()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("send dispatch failed; will retry")
                try:
                    await asyncio.wait_for(self._wake.wait(), self.settings.send_poll_seconds)
                except TimeoutError:
                    pass
        finally:
            for task in list(self._tasks.values()):
                task.cancel()
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
            await self._http.aclose()

    async def recover(self) -> None:
        """Free the leases a previous run of this instance held: that process is gone, and its
        replies go through reconciliation (``needs_check``) before any new call."""
        t = models.replies
        async with self.runtime.sessionmaker() as s, s.begin():
            res = await s.execute(
                update(t)
                .where(t.c.status == "sending", t.c.lease_owner == self.owner)
                .values(lease_owner=None, lease_until=None)
            )
        if res.rowcount:  # type: ignore[attr-defined]
            log.warning("recovered interrupted sends", extra={"count": res.rowcount})  # type: ignore[attr-defined]

    async def dispatch(self) -> None:
        t = models.replies
        now = utcnow()
        q = (
            select(t.c.reply_id, t.c.adapter, t.c.channel)
            .where(
                t.c.status == "sending",
                or_(t.c.next_attempt_at.is_(None), t.c.next_attempt_at <= now),
                or_(t.c.lease_until.is_(None), t.c.lease_until < now),
            )
            .order_by(t.c.next_attempt_at)
            .limit(200)
        )
        async with self.runtime.sessionmaker() as s:
            due = (await s.execute(q)).all()
        for reply_id, adapter, channel in due:
            if reply_id in self._tasks:
                continue
            if self._busy[adapter] >= self.settings.send_concurrency_per_platform:
                continue  # a slow platform only holds back its own replies
            if self.pacer.wait_time(adapter, channel) > 0:
                continue
            self._busy[adapter] += 1
            self._tasks[reply_id] = asyncio.create_task(self._guarded(reply_id, adapter))

    async def _guarded(self, reply_id: str, adapter: str) -> None:
        try:
            await self.attempt(reply_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("send attempt crashed", extra={"reply_id": reply_id})
        finally:
            self._busy[adapter] -= 1
            self._tasks.pop(reply_id, None)
            self.kick()

    # ------------------------------------------------------------------ one attempt
    async def attempt(self, reply_id: str) -> None:
        """One delivery attempt of one reply (see the module docstring for the order)."""
        prepared = await self._claim_and_prepare(reply_id)
        if prepared is None:
            return
        reply, out, channel, sender = prepared
        assert self._http is not None
        if reply["needs_check"]:
            if sender.reconcile == "none":
                await self._fail(
                    reply,
                    PermanentSendError(
                        "outcome_unknown",
                        f"an earlier call to {reply['adapter']} was interrupted and the platform "
                        "cannot be searched; check it before sending again",
                    ),
                )
                return
            if sender.reconcile == "lookup":
                try:
                    found = await sender.find(out, channel, self._http)
                except TransientSendError as exc:
                    await self._retry_later(reply, exc, ambiguous=True)
                    return
                except PermanentSendError as exc:
                    log.warning(
                        "reply lookup refused", extra={"reply_id": reply_id, "code": exc.code}
                    )
                    found = None
                if found is not None:
                    self.metrics.attempts.labels(
                        self.metrics.service, reply["adapter"], "reconciled"
                    ).inc()
                    await self._mark_sent(reply, found, reconciled=True)
                    return
        recorded = await self._record_attempt(reply)
        if recorded is None:
            return
        reply = recorded
        started = time.perf_counter()
        gauge = self.metrics.in_flight.labels(self.metrics.service, reply["adapter"])
        gauge.inc()
        try:
            delivered = await asyncio.wait_for(
                sender.send(out, channel, self._http), self.settings.send_timeout_seconds + 5
            )
        except SendError as exc:
            outcome = "transient" if exc.transient else "permanent"
            self.metrics.attempts.labels(self.metrics.service, reply["adapter"], outcome).inc()
            if exc.transient:
                await self._retry_later(reply, exc, ambiguous=exc.ambiguous)
            else:
                await self._fail(reply, exc)
            return
        except TimeoutError:
            await self._retry_later(
                reply,
                TransientSendError("timeout", "no answer in time", ambiguous=True),
                ambiguous=True,
            )
            return
        finally:
            gauge.dec()
            self.metrics.duration.labels(self.metrics.service, reply["adapter"]).observe(
                time.perf_counter() - started
            )
        self.metrics.attempts.labels(self.metrics.service, reply["adapter"], "ok").inc()
        await self._mark_sent(reply, delivered, reconciled=False)

    async def _claim_and_prepare(
        self, reply_id: str
    ) -> tuple[Row, OutboundReply, Channel, Sender] | None:
        t = models.replies
        now = utcnow()
        lease = now + timedelta(seconds=self.settings.send_lease_seconds)
        async with self.runtime.sessionmaker() as s, s.begin():
            res = await s.execute(
                update(t)
                .where(
                    t.c.reply_id == reply_id,
                    t.c.status == "sending",
                    or_(t.c.lease_until.is_(None), t.c.lease_until < now),
                )
                .values(lease_owner=self.owner, lease_until=lease)
            )
            if res.rowcount != 1:  # type: ignore[attr-defined]
                return None
            reply = await store.get_reply(s, reply_id)
            assert reply is not None
            # Defence in depth: nothing goes out without every sign-off it needs now.
            missing, needed_now = await recheck(s, reply)
            if missing:
                row, events = await block_for_approval(s, reply, needed_now, None)
                await self._publish(s, events)
                blocked = row
            else:
                blocked = None
            post = await store.get_post(s, reply["post_id"])
            channel: Channel | None = None
            error: SendError | None = None
            if blocked is None and post is not None:
                try:
                    channel = await channels.resolve(
                        s, self.settings, reply["adapter"], reply["platform"], reply["channel"]
                    )
                except PermanentSendError as exc:
                    error = exc
        if blocked is not None:
            self.broadcaster.publish(store.activity("reply.approval_requested", blocked, None))
            return None
        sender = self.senders.get(reply["adapter"])
        if post is None or sender is None:
            error = PermanentSendError("not_sendable", f"no post or adapter for {reply['adapter']}")
        if error is not None or channel is None or post is None or sender is None:
            await self._fail(reply, error or PermanentSendError("not_sendable", "cannot send"))
            return None
        return reply, outbound(reply, post), channel, sender

    async def _record_attempt(self, reply: Row) -> dict[str, Any] | None:
        """Write down that a call is about to be made, before making it."""
        now = utcnow()
        attempts = reply["attempts"] + 1
        changes = {
            "attempts": attempts,
            "needs_check": True,
            "lease_until": now + timedelta(seconds=self.settings.send_lease_seconds),
            "updated_at": now,
        }
        async with self.runtime.sessionmaker() as s, s.begin():
            if not await self._update_leased(s, reply, changes):
                return None
            row = {**reply, **changes}
            await store.add_history(s, row, "attempt", at=now, attempt=attempts)
        return row

    async def _update_leased(self, s: AsyncSession, reply: Row, changes: dict[str, Any]) -> bool:
        t = models.replies
        res = await s.execute(
            update(t)
            .where(
                t.c.reply_id == reply["reply_id"],
                t.c.status == "sending",
                t.c.lease_owner == self.owner,
            )
            .values(**changes)
        )
        if res.rowcount != 1:  # type: ignore[attr-defined]
            log.warning("lost the lease on a reply", extra={"reply_id": reply["reply_id"]})
            return False
        return True

    async def _publish(self, s: AsyncSession, events: list[Envelope]) -> None:
        await self.runtime.publish(s, events)

    async def _mark_sent(self, reply: Row, delivered: Delivered, *, reconciled: bool) -> None:
        now = utcnow()
        changes = {
            "status": "sent",
            "platform_reply_id": delivered.platform_reply_id[:256],
            "platform_url": delivered.url[:2048] if delivered.url else None,
            "sent_at": now,
            "updated_at": now,
            "needs_check": False,
            "lease_owner": None,
            "lease_until": None,
            "error": None,
            "error_code": None,
            "version": reply["version"] + 1,
        }
        async with self.runtime.sessionmaker() as s, s.begin():
            if not await self._update_leased(s, reply, changes):
                return
            row = {**reply, **changes}
            await store.add_history(
                s,
                row,
                "sent",
                at=now,
                platform_reply_id=row["platform_reply_id"],
                platform_url=row["platform_url"],
                reconciled=reconciled,
            )
            event = store.reply_event("reply.sent", row)
            await self._publish(s, [event])
            case = await store.get_case(s, reply["case_id"])
        self.metrics.step("sent", reply["adapter"])
        log.info(
            "reply sent",
            extra={
                "reply_id": reply["reply_id"],
                "case_id": reply["case_id"],
                "post_id": reply["post_id"],
                "platform": reply["adapter"],
                "attempts": reply["attempts"],
                "reconciled": reconciled,
                "trace_id": event.trace_id,
            },
        )
        self.broadcaster.publish(store.activity("reply.sent", row, case))

    async def _fail(self, reply: Row, exc: SendError) -> None:
        now = utcnow()
        changes = {
            "status": "failed",
            "error": str(exc)[:4000],
            "error_code": exc.code[:64],
            "updated_at": now,
            "lease_owner": None,
            "lease_until": None,
            "version": reply["version"] + 1,
        }
        async with self.runtime.sessionmaker() as s, s.begin():
            if not await self._update_leased(s, reply, changes):
                return
            row = {**reply, **changes}
            await store.add_history(
                s, row, "failed", at=now, error=row["error"], error_code=exc.code
            )
            await self._publish(s, [store.reply_event("reply.failed", row)])
            case = await store.get_case(s, reply["case_id"])
        self.metrics.step("failed", reply["adapter"])
        log.warning(
            "reply failed",
            extra={"reply_id": reply["reply_id"], "platform": reply["adapter"], "code": exc.code},
        )
        self.broadcaster.publish(store.activity("reply.failed", row, case))

    async def _retry_later(self, reply: Row, exc: SendError, *, ambiguous: bool) -> None:
        attempts = reply["attempts"]
        sender = self.senders.get(reply["adapter"])
        if attempts >= self.settings.send_max_attempts:
            if ambiguous and sender is not None and sender.reconcile != "idempotent":
                exc = PermanentSendError(
                    "outcome_unknown", f"gave up after {attempts} attempts; last: {exc}"
                )
            else:
                exc = PermanentSendError(
                    exc.code, f"gave up after {attempts} attempts; last: {exc}"
                )
            await self._fail(reply, exc)
            return
        delay = backoff(
            max(attempts, 1),
            self.settings.send_backoff_base_seconds,
            self.settings.send_backoff_max_seconds,
            exc.retry_after,
            self.rng,
        )
        if exc.code == "rate_limited":
            self.pacer.pause(reply["adapter"], reply["channel"], delay)
        now = utcnow()
        changes = {
            "next_attempt_at": now + timedelta(seconds=delay),
            "needs_check": bool(reply["needs_check"]) if not ambiguous else True,
            "lease_owner": None,
            "lease_until": None,
            "error": str(exc)[:4000],
            "error_code": exc.code[:64],
            "updated_at": now,
        }
        if not ambiguous:
            # The platform answered and did not act (429, refused connection): nothing to check.
            changes["needs_check"] = False
        async with self.runtime.sessionmaker() as s, s.begin():
            if not await self._update_leased(s, reply, changes):
                return
            await store.add_history(
                s,
                reply,
                "retry_scheduled",
                at=now,
                error=str(exc)[:500],
                error_code=exc.code,
                delay_seconds=round(delay, 3),
            )
