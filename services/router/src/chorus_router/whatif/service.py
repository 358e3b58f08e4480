"""What-if routing over the recorded posts of a period: read-only, never touches a live case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chorus_common.contracts.events import Post
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.accountability.caselog import load_entries
from chorus_router.accountability.history import Entry
from chorus_router.casework.case import Case
from chorus_router.casework.store import case_from_row
from chorus_router.core import RouterCore
from chorus_router.directory.roster import Directory, Member, member_from_row
from chorus_router.intent.kit import TrainableModel
from chorus_router.intent.store import current_model, stored_model
from chorus_router.routing.enrichment import with_signals
from chorus_router.routing.evaluate import RuleSet
from chorus_router.routing.rules import Rule
from chorus_router.whatif.replay import (
    Outcome,
    Recorded,
    Replay,
    changed,
    model_moves,
    replay,
    summarise,
)

CHUNK = 400
NOTES = [
    "each case is replayed from its first post; follow-ups and manual edits are not",
    "crisis mode is not replayed: cases routed by a crisis differ",
    "everyone counts as on shift (working hours apply); members are as in the roster",
    "response times are the recorded ones; SLA attainment uses the proposed SLA",
]


class TooManyPosts(ValueError):
    pass


class UnknownModel(ValueError):
    pass


def _actual(case: Case, entries: Sequence[Entry]) -> Outcome:
    d = case.decision or {}
    first = next((e.member for e in entries if e.member), None)
    return Outcome(
        team=str(d.get("team") or case.team),
        member=first if entries else case.assignee,
        priority=str(d.get("priority") or case.priority),
        sla_minutes=int(d.get("sla_minutes") or case.sla_minutes),
        approvals=tuple(d.get("approvals") or ()),
        weight=float(d.get("weight") or case.weight),
        rules=tuple(m["rule"] for m in d.get("matched") or ()),
    )


def _response(case: Case, post: Post, entries: Sequence[Entry]) -> float | None:
    replied = next((e.at for e in entries if e.status == "replied"), None)
    if replied is None and entries:
        return None
    answered = replied or case.first_response_at
    return (answered - post.received_at).total_seconds() if answered else None


async def _cases(session: AsyncSession, ids: Sequence[str]) -> dict[str, Case]:
    t = models.cases
    out: dict[str, Case] = {}
    for i in range(0, len(ids), CHUNK):
        rows = await session.execute(select(t).where(t.c.id.in_(ids[i : i + CHUNK])))
        out.update({r["id"]: case_from_row(r) for r in rows.mappings()})
    return out


async def recorded_between(
    session: AsyncSession, start: datetime, end: datetime, limit: int
) -> tuple[int, list[Recorded]]:
    """(posts in the period, one :class:`Recorded` per case opened by them)."""
    rp = models.routed_posts
    rows = (
        await session.execute(
            select(rp.c.case_id, rp.c.post)
            .where(rp.c.received_at >= start, rp.c.received_at < end)
            .order_by(rp.c.received_at, rp.c.post_id)
            .limit(limit + 1)
        )
    ).all()
    if len(rows) > limit:
        raise TooManyPosts(f"more than {limit} posts in the period; choose a shorter one")
    first: dict[str, Post] = {}
    for case_id, raw in rows:
        if case_id not in first:
            first[case_id] = with_signals(Post.model_validate_json(raw))[0]
    ids = sorted(first)
    earlier: set[str] = set()  # cases opened by a post before the period
    for i in range(0, len(ids), CHUNK):
        older = await session.execute(
            select(rp.c.case_id)
            .where(rp.c.case_id.in_(ids[i : i + CHUNK]), rp.c.received_at < start)
            .distinct()
        )
        earlier.update(older.scalars())
    cases = await _cases(session, [i for i in ids if i not in earlier])
    logs = await load_entries(session, sorted(cases))
    out = []
    for cid, post in first.items():
        case = cases.get(cid)
        if case is None:
            continue
        entries = logs.get(cid, [])
        resolved = case.resolved_at
        held = (resolved - post.received_at).total_seconds() if resolved else None
        out.append(
            Recorded(cid, post, _actual(case, entries), _response(case, post, entries), held)
        )
    return len(rows), out


def roster_directory(current: Directory, roster: Sequence[dict[str, Any]]) -> Directory:
    members: list[Member] = [member_from_row({"active": True, **m}) for m in roster]
    return Directory.of(current.teams.values(), members, current.version)


async def _models(
    core: RouterCore, session: AsyncSession, live: TrainableModel | None, model: str | None
) -> tuple[TrainableModel | None, TrainableModel | None]:
    """(the current model, the stored ``model`` replayed instead), or (None, None)."""
    if model is None:
        return None, None
    if core.kit is None:
        raise UnknownModel("this router has no intent classifier")
    try:
        candidate = await stored_model(session, core.kit, model)
    except ValueError as exc:
        raise UnknownModel(f"model {model} cannot be loaded") from exc
    if candidate is None:
        raise UnknownModel(f"no intent model {model!r}")
    return live or await current_model(session, core.kit), candidate


async def what_if(
    core: RouterCore,
    session: AsyncSession,
    rules: list[Rule] | None,
    *,
    start: datetime,
    end: datetime,
    roster: Sequence[dict[str, Any]] | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    """``rules`` None: the current set; ``model``: a stored intent model (or the shipped
    one) replayed instead of the current one, and compared with it case by case."""
    s = core.settings
    policy = s.router_accountability
    snap = await core.cache.get(session)
    n_posts, recorded = await recorded_between(session, start, end, policy.whatif_max_posts)
    directory = roster_directory(snap.directory, roster) if roster is not None else snap.directory
    proposed_rules = list(snap.rules.rules) if rules is None else rules
    current, candidate = await _models(core, session, snap.classifier, model)
    classifier = candidate or snap.classifier
    how = Replay(
        rules=RuleSet(proposed_rules, version=-1),
        directory=directory,
        weights=s.router_load_weights,
        default_team=s.router_default_team,
        default_sla_minutes=s.router_default_sla_minutes,
        bound=policy.fairness_bound,
        enforced=policy.fairness_enforced,
        classifier=classifier,
    )
    proposed = replay(recorded, how)
    per_case = s.router_load_weights.per_case
    out = {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "posts": n_posts,
        "cases": len(recorded),
        "rules": {
            "current_version": snap.rules.version,
            "proposed_rules": len(proposed_rules) if rules is not None else "current",
        },
        "roster": "proposed" if roster is not None else "current",
        "actual": summarise(
            [r.actual for r in recorded], recorded, snap.directory, per_case=per_case, until=end
        ),
        "proposed": summarise(proposed, recorded, directory, per_case=per_case, until=end),
        "changed": changed(recorded, proposed),
        "notes": NOTES,
    }
    if current is not None and candidate is not None:
        out["intent_model"] = {
            "current": current.version,
            "proposed": candidate.version,
            "moved": model_moves(recorded, how, current, candidate),
        }
    return out
