"""Brand activity: the brand's own posts and replies on the platforms (``Post.from_brand``).

They never open a case and are never assigned. A reply moves the case of its conversation
(the case holding its parent post, else its thread's case) exactly as a reply sent through
Chorus does: first response, SLA stopped, a case event the log and the live stream show.
Each post id has one effect, however often it is delivered. A reply that arrives before the
customer post it answers is kept, and answers the case when that post opens it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chorus_common.contracts.events import Post, PostReceived
from chorus_common.messaging.envelope import Envelope
from chorus_common.persistence import bulk
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.casework.case import Case
from chorus_router.casework.service import notify
from chorus_router.casework.store import (
    emit,
    fetch_by_threads,
    fetch_case,
    known_posts,
    update_cases,
)
from chorus_router.core import Uow

CHUNK = 500
BP = models.brand_posts
COLUMNS = tuple(c.name for c in BP.columns)
NATIVE_REASON = "replied natively on the platform"


def is_brand(event: Envelope) -> bool:
    """Is this ``post.received`` the brand's own post (read without parsing the event)?"""
    return bool(event.payload.get("post", {}).get("from_brand"))


def answers(post: Post) -> bool:
    """A post inside a conversation answers it; the conversation's own root post does not."""
    return post.id != post.thread_id


def record_native_reply(
    uow: Uow, case: Case, post: Post, trace_id: str | None, newer_post_waits: bool = False
) -> None:
    """Move ``case`` as a sent reply does and stage the ``case.updated`` that says so."""
    first = case.answer_natively(uow.now, newer_post_waits=newer_post_waits)
    native = {
        "post_id": post.id,
        "url": post.url,
        "created_at": post.created_at.isoformat(),
        "first_response": first,
    }
    why = f"{NATIVE_REASON} ({post.id})" + ("; first response" if first else "")
    emit(uow, "case.updated", case, reason=why, trace_id=trace_id, extra={"native_reply": native})
    # The owner may be drafting an answer in Chorus: they learn the brand has already spoken.
    notify(
        uow,
        case.assignee,
        "native_reply",
        f"Case {case.id} was answered on {case.platform} outside Chorus",
        case_id=case.id,
        post_id=post.id,
        url=post.url,
        first_response=first,
    )


def _row(post: Post, case_id: str | None) -> dict[str, Any]:
    return {
        "post_id": post.id,
        "platform": post.platform,
        "thread_id": post.thread_id,
        "in_reply_to": post.in_reply_to,
        "case_id": case_id,
        "created_at": post.created_at,
        "received_at": post.received_at,
        "post": post.model_dump_json(),
    }


async def _stored(uow: Uow, ids: Sequence[str]) -> dict[str, str | None]:
    """The brand posts already stored among ``ids``, with their case."""
    out: dict[str, str | None] = {}
    for i in range(0, len(ids), CHUNK):
        q = select(BP.c.post_id, BP.c.case_id).where(BP.c.post_id.in_(ids[i : i + CHUNK]))
        out.update({p: c for p, c in (await uow.session.execute(q)).all()})
    return out


async def _parents(uow: Uow, posts: Sequence[Post]) -> dict[str, str]:
    """The case of each parent post (a customer's, or an earlier reply of the brand's)."""
    ids = sorted({p.in_reply_to for p in posts if p.in_reply_to})
    found = await known_posts(uow.session, ids)
    brand = await _stored(uow, [i for i in ids if i not in found])
    return {**found, **{p: c for p, c in brand.items() if c}}


async def on_brand_posts(events: Sequence[Envelope], *, uow: Uow) -> None:
    """Store each new brand post once; a reply moves its conversation's case (idempotent by
    post id: a redelivery, or an edit of a stored post, changes nothing)."""
    fresh: dict[str, tuple[Envelope, Post]] = {}
    for e in events:
        received: PostReceived = e.parsed()
        fresh.setdefault(received.post.id, (e, received.post))
    stored = await _stored(uow, sorted(fresh))
    items = [v for k, v in fresh.items() if k not in stored]
    if not items:
        return
    posts = [p for _e, p in items]
    parents = await _parents(uow, posts)
    threads = await fetch_by_threads(uow.session, [(p.platform, p.thread_id) for p in posts])
    cases = {c.id: c for c in threads.values()}
    changed: dict[str, Case] = {}
    rows = []
    for env, post in items:
        parent = parents.get(post.in_reply_to or "")
        if parent is not None and parent not in cases:
            found = await fetch_case(uow.session, parent)
            if found is not None:
                cases[parent] = found
        case = cases.get(parent or "") or threads.get((post.platform, post.thread_id))
        if case is not None and answers(post):
            waits = await _newer_post_waits(uow, case, post)
            record_native_reply(uow, case, post, env.trace_id, waits)
            changed[case.id] = case
        rows.append(_row(post, case.id if case else None))
    await bulk.run_dicts(uow.session, bulk.insert_ignore(uow.dialect, BP, ("post_id",)), rows)
    await update_cases(uow.session, list(changed.values()))


async def _newer_post_waits(uow: Uow, case: Case, post: Post) -> bool:
    """Was the case's newest post written after this reply, not answered by it? (Polling
    can bring a reply after the customer's next post; unknown when that post is not kept.)"""
    if post.in_reply_to == case.latest_post_id:
        return False
    rp = models.routed_posts
    raw = await uow.session.scalar(select(rp.c.post).where(rp.c.post_id == case.latest_post_id))
    return raw is not None and Post.model_validate_json(raw).created_at > post.created_at


async def apply_waiting(events: Sequence[Envelope], *, uow: Uow) -> None:
    """Brand posts stored before their conversation had a case join the cases these events
    opened; those written after (or in reply to) the customer post that opened it answer it."""
    opened = {
        (str(e.payload["platform"]), str(e.payload["thread_id"])): str(e.payload["case_id"])
        for e in uow.events
        if e.type == "case.opened"
    }
    if not opened:
        return
    waiting = await _waiting(uow, sorted(opened))
    if not waiting:
        return
    customer = _customer_posts(events, uow, set(opened.values()))
    changed: dict[str, Case] = {}
    for post in sorted(waiting, key=lambda p: (p.created_at, p.id)):
        case_id = opened[(post.platform, post.thread_id)]
        await uow.session.execute(update(BP).where(BP.c.post_id == post.id).values(case_id=case_id))
        if not answers_case(post, customer.get(case_id, {})):
            continue
        case = changed.get(case_id) or await fetch_case(uow.session, case_id)
        if case is not None:
            record_native_reply(uow, case, post, None)
            changed[case_id] = case
    await update_cases(uow.session, list(changed.values()))


async def _waiting(uow: Uow, threads: Sequence[tuple[str, str]]) -> list[Post]:
    """Brand posts of these conversations stored without a case."""
    by_platform: dict[str, list[str]] = {}
    for platform, thread in threads:
        by_platform.setdefault(platform, []).append(thread)
    out: list[Post] = []
    for platform, ids in sorted(by_platform.items()):
        for i in range(0, len(ids), CHUNK):
            q = select(BP.c.post).where(
                BP.c.case_id.is_(None),
                BP.c.platform == platform,
                BP.c.thread_id.in_(ids[i : i + CHUNK]),
            )
            out += [Post.model_validate_json(raw) for raw in (await uow.session.scalars(q))]
    return out


def _customer_posts(
    events: Sequence[Envelope], uow: Uow, case_ids: set[str]
) -> dict[str, dict[str, datetime]]:
    """The posts of these events in the cases given: case id -> post id -> written at."""
    out: dict[str, dict[str, datetime]] = {}
    for e in events:
        post = e.payload["post"]
        case_id = uow.post_cases.get(str(post["id"]))
        if case_id in case_ids:
            received: PostReceived = e.parsed()
            out.setdefault(case_id, {})[received.post.id] = received.post.created_at
    return out


def answers_case(post: Post, customer: dict[str, datetime]) -> bool:
    """A waiting brand post answers a new case when it replies to one of the posts that
    opened it, or was written (inside the conversation) after the earliest of them."""
    if not answers(post) or not customer:
        return False
    return post.in_reply_to in customer or post.created_at >= min(customer.values())


async def brand_replies(session: AsyncSession, case_id: str) -> list[dict[str, Any]]:
    """The brand's own posts on a case, oldest first: post id, link, written and seen at."""
    q = (
        select(BP.c.post_id, BP.c.post, BP.c.received_at)
        .where(BP.c.case_id == case_id)
        .order_by(BP.c.received_at, BP.c.post_id)
    )
    out = []
    for post_id, raw, _at in (await session.execute(q)).all():
        post = Post.model_validate_json(raw)
        out.append(
            {
                "post_id": post_id,
                "url": post.url,
                "created_at": post.created_at.isoformat(),
                "received_at": post.received_at.isoformat(),
            }
        )
    return out
