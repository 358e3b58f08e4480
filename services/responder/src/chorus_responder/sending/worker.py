"""The send worker: takes replies queued as ``sending`` and delivers each exactly once as the
platform sees it.

Per attempt: claim a lease; re-check the sign-offs; if an earlier call may have reached the
platform (``needs_check``), look the reply up (or rely on the platform's idempotency) before
anything else; record the attempt (``attempts + 1``, ``needs_check = true``) and commit;
only then call the platform. Success -> ``sent`` + reply.sent; timeouts, 5xx and 429 ->
back-off with jitter (honouring Retry-After); other 4xx -> ``failed`` + reply.failed. The
outcomes are written by the ``Ledger`` (``sending/ledger.py``).
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
from chorus_common.runtime import Runtime
from chorus_platforms.kit.outbound import (
    Channel,
    OutboundReply,
    PermanentSendError,
    Sender,
    SendError,
    TransientSendError,
)
from sqlalchemy import or_, select, update

from chorus_responder import models, store
from chorus_responder.approvals import block_for_approval, recheck
from chorus_responder.metrics import ResponderMetrics
from chorus_responder.sending import channels
from chorus_responder.sending.channels import outbound
from chorus_responder.sending.ledger import Ledger
from chorus_responder.sending.ratelimit import PlatformPacer
from chorus_responder.settings import ResponderSettings
from chorus_responder.stream import Broadcaster

log = logging.getLogger(__name__)
Row = Mapping[str, Any]


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
        self.ledger = Ledger(
            runtime, settings, broadcaster, metrics, senders, self.pacer, self.owner, rng
        )

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
        if reply["needs_check"] and await self._reconciled(reply, out, channel, sender):
            return
        recorded = await self.ledger.record_attempt(reply)
        if recorded is not None:
            await self._call(recorded, out, channel, sender)

    async def _reconciled(
        self, reply: Row, out: OutboundReply, channel: Channel, sender: Sender
    ) -> bool:
        """Settle a reply an earlier call may have made; True when nothing more is to be done."""
        assert self._http is not None
        if sender.reconcile == "none":
            message = (
                f"an earlier call to {reply['adapter']} was interrupted and the platform "
                "cannot be searched; check it before sending again"
            )
            await self.ledger.fail(reply, PermanentSendError("outcome_unknown", message))
            return True
        if sender.reconcile != "lookup":
            return False  # idempotent: the call is simply repeated
        try:
            found = await sender.find(out, channel, self._http)
        except TransientSendError as exc:
            await self.ledger.retry_later(reply, exc, ambiguous=True)
            return True
        except PermanentSendError as exc:
            log.warning(
                "reply lookup refused", extra={"reply_id": reply["reply_id"], "code": exc.code}
            )
            return False
        if found is None:
            return False
        self.metrics.attempts.labels(self.metrics.service, reply["adapter"], "reconciled").inc()
        await self.ledger.mark_sent(reply, found, reconciled=True)
        return True

    async def _call(self, reply: Row, out: OutboundReply, channel: Channel, sender: Sender) -> None:
        """Make the platform call (the attempt is on record) and write down its outcome."""
        assert self._http is not None
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
                await self.ledger.retry_later(reply, exc, ambiguous=exc.ambiguous)
            else:
                await self.ledger.fail(reply, exc)
            return
        except TimeoutError:
            timeout = TransientSendError("timeout", "no answer in time", ambiguous=True)
            await self.ledger.retry_later(reply, timeout, ambiguous=True)
            return
        finally:
            gauge.dec()
            self.metrics.duration.labels(self.metrics.service, reply["adapter"]).observe(
                time.perf_counter() - started
            )
        self.metrics.attempts.labels(self.metrics.service, reply["adapter"], "ok").inc()
        await self.ledger.mark_sent(reply, delivered, reconciled=False)

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
                await self.ledger.publish(s, events)
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
            await self.ledger.fail(
                reply, error or PermanentSendError("not_sendable", "cannot send")
            )
            return None
        return reply, outbound(reply, post), channel, sender
