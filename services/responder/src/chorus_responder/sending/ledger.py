"""What the send worker writes down about a reply under its lease: the attempt before the call,
then ``sent``, ``failed`` or the next try (back-off with jitter, honouring Retry-After).

Every write checks the lease first, so an instance that lost it never overwrites another's
outcome; each one publishes its reply event through the outbox in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chorus_common.contracts.events import utcnow
from chorus_common.messaging.envelope import Envelope
from chorus_common.runtime import Runtime
from chorus_platforms.kit.outbound import Delivered, PermanentSendError, Sender, SendError
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_responder import models, store
from chorus_responder.metrics import ResponderMetrics
from chorus_responder.sending.ratelimit import PlatformPacer
from chorus_responder.settings import ResponderSettings
from chorus_responder.stream import Broadcaster

log = logging.getLogger(__name__)
Row = Mapping[str, Any]


# The delay is stored (next_attempt_at) and survives restarts: no in-process tenacity loop fits.
def backoff(
    attempt: int, base: float, cap: float, retry_after: float | None, rng: Callable[[], float]
) -> float:
    """Exponential back-off with equal jitter; never sooner than the platform asked."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    delay = ceiling / 2 + rng() * ceiling / 2
    return float(max(delay, retry_after or 0.0))


@dataclass(frozen=True, slots=True)
class Ledger:
    """The reply rows one worker instance (``owner``) holds leases on."""

    runtime: Runtime
    settings: ResponderSettings
    broadcaster: Broadcaster
    metrics: ResponderMetrics
    senders: Mapping[str, Sender]
    pacer: PlatformPacer
    owner: str
    rng: Callable[[], float]

    async def publish(self, s: AsyncSession, events: list[Envelope]) -> None:
        await self.runtime.publish(s, events)

    async def record_attempt(self, reply: Row) -> dict[str, Any] | None:
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

    async def mark_sent(self, reply: Row, delivered: Delivered, *, reconciled: bool) -> None:
        """``sent`` + reply.sent; idempotent under the lease (a lost lease writes nothing)."""
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
        event = await self._settle(
            reply,
            changes,
            "reply.sent",
            platform_reply_id=changes["platform_reply_id"],
            platform_url=changes["platform_url"],
            reconciled=reconciled,
        )
        if event is None:
            return
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

    async def fail(self, reply: Row, exc: SendError) -> None:
        """``failed`` + reply.failed with the platform's reason."""
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
        event = await self._settle(
            reply, changes, "reply.failed", error=changes["error"], error_code=exc.code
        )
        if event is None:
            return
        log.warning(
            "reply failed",
            extra={"reply_id": reply["reply_id"], "platform": reply["adapter"], "code": exc.code},
        )

    async def _settle(
        self, reply: Row, changes: dict[str, Any], event_type: str, **history: Any
    ) -> Envelope | None:
        """Write the outcome under the lease with its history and reply event, then count and
        broadcast it; None when the lease was lost (nothing written)."""
        outcome = event_type.removeprefix("reply.")
        async with self.runtime.sessionmaker() as s, s.begin():
            if not await self._update_leased(s, reply, changes):
                return None
            row = {**reply, **changes}
            await store.add_history(s, row, outcome, at=changes["updated_at"], **history)
            event = store.reply_event(event_type, row)
            await self.publish(s, [event])
            case = await store.get_case(s, reply["case_id"])
        self.metrics.step(outcome, reply["adapter"])
        self.broadcaster.publish(store.activity(event_type, row, case))
        return event

    def _given_up(self, reply: Row, exc: SendError, *, ambiguous: bool) -> PermanentSendError:
        attempts = reply["attempts"]
        sender = self.senders.get(reply["adapter"])
        if ambiguous and sender is not None and sender.reconcile != "idempotent":
            return PermanentSendError(
                "outcome_unknown", f"gave up after {attempts} attempts; last: {exc}"
            )
        return PermanentSendError(exc.code, f"gave up after {attempts} attempts; last: {exc}")

    async def retry_later(self, reply: Row, exc: SendError, *, ambiguous: bool) -> None:
        """Schedule the next attempt, or fail once ``send_max_attempts`` are spent."""
        attempts = reply["attempts"]
        if attempts >= self.settings.send_max_attempts:
            await self.fail(reply, self._given_up(reply, exc, ambiguous=ambiguous))
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
            # Not ambiguous: the platform answered and did not act (429, refused connection).
            "needs_check": ambiguous,
            "lease_owner": None,
            "lease_until": None,
            "error": str(exc)[:4000],
            "error_code": exc.code[:64],
            "updated_at": now,
        }
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
