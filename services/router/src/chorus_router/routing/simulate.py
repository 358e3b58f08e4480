"""Dry-run routing: the decision a post would get now, with no effect on anything."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chorus_common.contracts.events import Post, utcnow
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router.casework import sla
from chorus_router.casework.assignment import choose
from chorus_router.casework.store import load_book
from chorus_router.core import RouterCore
from chorus_router.routing.decision import classify, record, summary
from chorus_router.routing.enrichment import with_signals
from chorus_router.routing.evaluate import RuleSet
from chorus_router.routing.rules import Rule


async def simulate(
    core: RouterCore,
    session: AsyncSession,
    post: Post,
    *,
    rules: list[Rule] | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    snap = await core.cache.get(session)
    book = await load_book(session)
    s = core.settings
    now = at or utcnow()
    enriched, computed = with_signals(post)
    ruleset = RuleSet(rules, version=-1) if rules is not None else snap.rules
    c = classify(
        enriched,
        ruleset,
        weights=s.router_load_weights,
        default_team=s.router_default_team,
        default_sla_minutes=s.router_default_sla_minutes,
        crises=snap.crises,
        crisis_team=s.router_crisis_team,
        at=now,
        classifier=snap.classifier,
        explain_intent=True,
    )
    choice = choose(c.need(), snap.directory, book, now, per_case=s.router_load_weights.per_case)
    return {
        "team": c.team,
        "collaborators": c.collaborators,
        "priority": c.priority,
        "sla_minutes": c.sla_minutes,
        "sla_due_at": sla.due_at(now, c.sla_minutes).isoformat(),
        "approvals_required": c.approvals,
        "tags": c.tags,
        "member": choice.member,
        "reason": summary(c, choice),
        "signals": {
            "computed": computed,
            "lang": enriched.lang,
            "sentiment_label": enriched.signals.sentiment_label,
            "sentiment_score": enriched.signals.sentiment_score,
        },
        "intent": c.intent,
        "explanation": record(c, choice, now),
    }
