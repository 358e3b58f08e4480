"""Reading and writing the responder's tables: cases, posts, replies, history, policies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from chorus_common.contracts.events import ReplyEvent, utcnow
from chorus_common.messaging.envelope import Envelope, make_event
from chorus_common.problems import ApiProblem
from chorus_common.streams import ReplyActivity
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_responder import models
from chorus_responder.domain.policy import Needed, Policy, ReplyFacts

Row = Mapping[str, Any]
PRODUCER = "responder"


def _first(result: Any) -> dict[str, Any] | None:
    row = result.mappings().first()
    return dict(row) if row is not None else None


def _all(result: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in result.mappings()]


async def get_case(session: AsyncSession, case_id: str) -> Row | None:
    t = models.case_view
    return _first(await session.execute(select(t).where(t.c.case_id == case_id)))


async def get_post(session: AsyncSession, post_id: str) -> Row | None:
    t = models.post_view
    return _first(await session.execute(select(t).where(t.c.post_id == post_id)))


async def latest_post(session: AsyncSession, case: Row) -> Row | None:
    """The case's latest post: the one the router named, else the newest of the thread."""
    if case["latest_post_id"]:
        post = await get_post(session, case["latest_post_id"])
        if post is not None:
            return post
    t = models.post_view
    q = select(t).where(t.c.thread_id == case["thread_id"]).order_by(t.c.created_at.desc()).limit(1)
    return _first(await session.execute(q))


async def get_reply(session: AsyncSession, reply_id: str) -> Row | None:
    t = models.replies
    return _first(await session.execute(select(t).where(t.c.reply_id == reply_id)))


async def replies_of_case(
    session: AsyncSession, case_id: str, limit: int | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """The case's newest ``limit`` replies (all when None), oldest first, and whether older
    ones were left out."""
    t = models.replies
    newest = (t.c.created_at.desc(), t.c.reply_id.desc())
    q = select(t).where(t.c.case_id == case_id).order_by(*newest)
    rows = _all(await session.execute(q if limit is None else q.limit(limit + 1)))
    more = limit is not None and len(rows) > limit
    return rows[:limit][::-1], more


# The newest history entries kept per reply in an answer (edits and sign-offs repeat).
HISTORY_MAX = 100


async def history_of(
    session: AsyncSession, reply_ids: Sequence[str], newest: int = HISTORY_MAX
) -> dict[str, list[dict[str, Any]]]:
    """Each reply's newest ``newest`` history entries, oldest first."""
    if not reply_ids:
        return {}
    t = models.reply_history
    rank = func.row_number().over(partition_by=t.c.reply_id, order_by=t.c.id.desc())
    ranked = select(t, rank.label("rank")).where(t.c.reply_id.in_(list(reply_ids))).subquery()
    q = select(*(ranked.c[c.name] for c in t.columns)).where(ranked.c.rank <= newest)
    out: dict[str, list[dict[str, Any]]] = {r: [] for r in reply_ids}
    for row in _all(await session.execute(q.order_by(ranked.c.id))):
        out[row["reply_id"]].append(row)
    return out


async def cases_by_id(session: AsyncSession, case_ids: Iterable[str]) -> dict[str, Row]:
    t = models.case_view
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    return {
        r["case_id"]: r for r in _all(await session.execute(select(t).where(t.c.case_id.in_(ids))))
    }


async def save_reply(
    session: AsyncSession, reply: Row, changes: Mapping[str, Any], now: datetime | None = None
) -> dict[str, Any]:
    """Write ``changes`` as the reply's next version, unless it changed meanwhile (409)."""
    changes = {**changes, "version": reply["version"] + 1, "updated_at": now or utcnow()}
    t = models.replies
    res = await session.execute(
        update(t)
        .where(t.c.reply_id == reply["reply_id"], t.c.version == reply["version"])
        .values(**changes)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        raise ApiProblem(409, "concurrent_change", "the reply changed meanwhile; retry")
    return {**reply, **changes}


async def add_history(
    session: AsyncSession,
    reply: Row,
    step: str,
    *,
    actor: str | None = None,
    comment: str | None = None,
    at: datetime | None = None,
    **data: Any,
) -> None:
    await session.execute(
        insert(models.reply_history).values(
            reply_id=reply["reply_id"],
            case_id=reply["case_id"],
            step=step,
            actor=actor,
            comment=comment,
            data=data,
            at=at or utcnow(),
        )
    )


def reply_event(type_: str, reply: Row, **extra: Any) -> Envelope:
    """A ``reply.*`` envelope describing ``reply`` as it now stands."""
    needed = reply["needed"] or []
    done = approved_keys(reply["approvals"] or [])
    payload = ReplyEvent(
        reply_id=reply["reply_id"],
        case_id=reply["case_id"],
        post_id=reply["post_id"],
        platform=reply["platform"],
        channel=reply["channel"],
        team=reply["team"],
        author_member_id=reply["author_id"],
        status=reply["status"],
        text=reply["text"],
        approvals_required=tuple(dict.fromkeys(n["team"] for n in needed if n["key"] not in done)),
        platform_reply_id=reply["platform_reply_id"],
        platform_url=reply["platform_url"],
        error=reply["error"],
        error_code=reply["error_code"],
        drafted_at=reply["created_at"],
        **extra,
    )
    return make_event(type_, payload, producer=PRODUCER)


def approved_keys(approvals: Iterable[Mapping[str, Any]]) -> set[str]:
    return {k for a in approvals for k in a.get("keys", [])}


def needed_json(needed: Iterable[Needed]) -> list[dict[str, Any]]:
    return [
        {"key": n.key, "team": n.team, "role": n.role, "policy_id": n.policy_id, "reason": n.reason}
        for n in needed
    ]


def needed_from_json(items: Iterable[Mapping[str, Any]]) -> tuple[Needed, ...]:
    return tuple(
        Needed(i["key"], i["team"], i["role"], i["policy_id"], i.get("reason", "")) for i in items
    )


def facts(case: Row, post: Row | None) -> ReplyFacts:
    return ReplyFacts(
        tags=tuple(case["tags"] or ()),
        approvals_required=tuple(case["approvals_required"] or ()),
        priority=case["priority"],
        kind=post["kind"] if post else None,
        rating=post["rating"] if post else None,
        platform=post["platform"] if post else case["platform"],
    )


# --------------------------------------------------------------------------- policies


async def load_policies(session: AsyncSession) -> list[Policy]:
    t = models.policies
    rows = (await session.execute(select(t.c.body).order_by(t.c.position, t.c.policy_id))).all()
    return [Policy.model_validate(r.body) for r in rows]


def activity(type_: str, reply: Row, case: Row | None) -> dict[str, Any]:
    """What the live stream shows about a reply step (no reply text: it may be confidential);
    the step must be one docs/streams.md lists (ValueError otherwise)."""
    return ReplyActivity(
        type=type_,
        reply_id=reply["reply_id"],
        case_id=reply["case_id"],
        team=reply["team"],
        collaborators=tuple((case or {}).get("collaborators") or ()),
        approver_teams=tuple(sorted({n["team"] for n in reply["needed"] or []})),
        member=reply["author_id"],
        status=reply["status"],
        platform=reply["platform"],
        platform_url=reply["platform_url"],
        at=utcnow(),
    ).model_dump(mode="json")
