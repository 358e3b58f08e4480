"""The teams' corrections as labelled examples for the intent classifier.

A lead moving a case to another team, or a member handing it back as "not for us" before it
moves, says which intent the post had: that of the team it lands in (``Directory.intent_of``).
One row per case (the label follows the case to its final team), in the unit of work of the
move itself.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.casework.case import Case
from chorus_router.core import Uow
from chorus_router.directory.roster import Directory
from chorus_router.intent.kit import Labelled

log = logging.getLogger(__name__)


async def opening_post(session: AsyncSession, case_id: str) -> dict[str, Any] | None:
    """The post that opened the case, as routed (kept for what-if; None once pruned)."""
    rp = models.routed_posts
    raw = (
        await session.execute(
            select(rp.c.post)
            .where(rp.c.case_id == case_id)
            .order_by(rp.c.received_at, rp.c.post_id)
            .limit(1)
        )
    ).scalar()
    return None if raw is None else dict(orjson.loads(raw))


async def record_correction(
    uow: Uow, case: Case, directory: Directory, *, from_team: str, actor: str
) -> str | None:
    """Store (or relabel) the case's example after it moved from ``from_team``; why not, if
    nothing was stored (the team has no intent, or the post's text is no longer kept)."""
    intent = directory.intent_of(case.team)
    if intent is None:
        return f"team {case.team} has no intent"
    post = await opening_post(uow.session, case.id)
    if post is None:
        log.info("no routed post kept for case %s: correction not recorded", case.id)
        return "the post's text is no longer kept"
    decision = case.decision or {}
    handed = decision.get("not_for_us") or {}
    row = {
        "text": str(post.get("text") or ""),
        "lang": post.get("lang"),
        "intent": intent,
        "team": case.team,
        "from_team": from_team,
        "source": "handback" if handed.get("team") == from_team else "transfer",
        "predicted": (decision.get("intent") or {}).get("intent"),
        "actor": actor,
        "updated_at": uow.now,
    }
    t = models.intent_examples
    found = await uow.session.execute(select(t.c.case_id).where(t.c.case_id == case.id))
    if found.first() is None:
        await uow.session.execute(insert(t), [{**row, "case_id": case.id, "created_at": uow.now}])
    else:
        await uow.session.execute(update(t).where(t.c.case_id == case.id).values(**row))
    return None


async def newest(session: AsyncSession, limit: int) -> list[Labelled]:
    """The ``limit`` most recently labelled examples, oldest first."""
    t = models.intent_examples
    rows = (
        await session.execute(
            select(t.c.text, t.c.intent, t.c.lang)
            .order_by(t.c.updated_at.desc(), t.c.case_id)
            .limit(limit)
        )
    ).all()
    return [Labelled(text=r.text, intent=r.intent, lang=r.lang) for r in reversed(rows)]


def counts(rows: Sequence[Labelled]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        out[r.intent] = out.get(r.intent, 0) + 1
    return dict(sorted(out.items()))
