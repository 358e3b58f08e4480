"""The brand's native replies: what it wrote on a case in the platform's own app (the
router's ``case.updated`` with ``native_reply``), kept once per post so that drafting and
sending on the case warn as when a colleague has replied (a collision)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from chorus_common.contracts.events import CaseEvent
from chorus_common.messaging.consuming import Transaction
from chorus_common.messaging.envelope import Envelope
from chorus_common.persistence import bulk
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_responder import models

BRAND = "brand"  # who a native reply's collision names: the brand's own account
LIMIT = 20


async def record(events: Sequence[Envelope], *, uow: Transaction) -> None:
    """Keep each native reply the case events carry (idempotent by post id)."""
    rows = []
    for e in events:
        if not e.payload.get("native_reply"):
            continue
        case: CaseEvent = e.parsed()
        native = case.native_reply
        if native is not None:
            rows.append(
                {
                    "post_id": native.post_id,
                    "case_id": case.case_id,
                    "url": native.url,
                    "created_at": native.created_at,
                    "seen_at": e.occurred_at,
                }
            )
    t = models.native_replies
    await bulk.run_dicts(uow.session, bulk.insert_ignore(uow.dialect, t, ("post_id",)), rows)


async def collisions(session: AsyncSession, case_id: str, since: datetime) -> list[dict[str, Any]]:
    """The brand's native replies on the case seen since ``since``, as collisions."""
    t = models.native_replies
    q = (
        select(t.c.post_id, t.c.url, t.c.seen_at)
        .where(t.c.case_id == case_id, t.c.seen_at >= since)
        .order_by(t.c.seen_at.desc())
        .limit(LIMIT)
    )
    return [
        {
            "member": BRAND,
            "activity": "replied_natively",
            "post_id": r.post_id,
            "url": r.url,
            "at": (r.seen_at if r.seen_at.tzinfo else r.seen_at.replace(tzinfo=UTC)).isoformat(),
        }
        for r in (await session.execute(q)).all()
    ]
