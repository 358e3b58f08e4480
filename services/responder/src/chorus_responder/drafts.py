"""Drafting: create and edit replies, check platform rules and collisions."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from chorus_common.auth import Principal
from chorus_common.contracts.events import utcnow
from chorus_common.messaging.envelope import Envelope
from chorus_common.problems import ApiProblem, not_found
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_responder import models, native, store
from chorus_responder.access import identity, sees_case
from chorus_responder.arrivals import not_ready
from chorus_responder.domain import constraints
from chorus_responder.domain.policy import Needed, required_approvals
from chorus_responder.settings import ResponderSettings
from chorus_responder.template_text import render_template, template_variables

Row = Mapping[str, Any]
EDITABLE = ("draft", "pending_approval", "approved", "rejected", "failed")
ACTIVE = ("draft", "pending_approval", "approved", "rejected")
MAX_COLLISIONS = 50  # the most recent other people's replies reported on a case


async def visible_case(session: AsyncSession, principal: Principal, case_id: str) -> Row:
    case = await store.get_case(session, case_id)
    if case is None or not sees_case(principal, case):
        raise not_found("case", case_id)
    return case


async def collisions(
    session: AsyncSession, case_id: str, me: str, settings: ResponderSettings
) -> list[dict[str, Any]]:
    """Other people drafting or having replied on the case within the collision window."""
    since = utcnow() - timedelta(minutes=settings.collision_window_minutes)
    t = models.replies
    q = (
        select(t.c.reply_id, t.c.author_id, t.c.status, t.c.updated_at, t.c.sent_at)
        .where(t.c.case_id == case_id, t.c.author_id != me, t.c.updated_at >= since)
        .order_by(t.c.updated_at.desc())
        .limit(MAX_COLLISIONS)
    )
    out = []
    for r in (await session.execute(q)).all():
        if r.status in ACTIVE:
            activity = "drafting"
        elif r.status in ("sending", "sent"):
            activity = "replied"
        else:
            continue
        out.append(
            {
                "member": r.author_id,
                "activity": activity,
                "reply_id": r.reply_id,
                "status": r.status,
                "at": (r.sent_at or r.updated_at).isoformat(),
            }
        )
    return out + await native.collisions(session, case_id, since)


def refuse_if_replied(found: list[dict[str, Any]], force: bool) -> None:
    replied = [c for c in found if c["activity"] in ("replied", "replied_natively")]
    if replied and not force:
        who = ", ".join(sorted({c["member"] for c in replied}))
        raise ApiProblem(
            409,
            "collision",
            f"{who} replied on this case moments ago; send with force=true to answer anyway",
            extra={"collisions": found},
        )


async def _already_answered(session: AsyncSession, post_id: str) -> bool:
    t = models.replies
    q = (
        select(t.c.reply_id)
        .where(t.c.post_id == post_id, t.c.status.in_(("sent", "sending")))
        .limit(1)
    )
    return (await session.execute(q)).first() is not None


async def create_draft(
    session: AsyncSession,
    principal: Principal,
    settings: ResponderSettings,
    case_id: str,
    *,
    text: str | None,
    template_id: str | None,
    variables: Mapping[str, str],
    post_id: str | None,
    force: bool,
) -> tuple[Row, list[dict[str, Any]], list[Envelope]]:
    """Create a draft; returns it, the collisions seen and the events to publish with it."""
    case = await visible_case(session, principal, case_id)
    post = await _post_to_answer(session, case, post_id)
    me = identity(principal)
    found = await collisions(session, case_id, me, settings)
    refuse_if_replied(found, force)
    lang = post["lang"]
    if template_id:
        text, lang = await render_template(
            session, template_id, template_variables(case, post, principal, settings, variables)
        )
    if text is None:
        raise ApiProblem(422, "validation_error", "give text or template_id", field="text")
    plan = _plan(post, await _already_answered(session, post["post_id"]))
    _check(plan.adapter, text)
    needed = required_approvals(await store.load_policies(session), store.facts(case, post))
    now = utcnow()
    row = _draft_row(
        case, post, plan, needed, author=me, text=text, lang=lang, template_id=template_id, at=now
    )
    await session.execute(models.replies.insert().values(**row))
    await store.add_history(
        session, row, "drafted", actor=me, at=now, text=text, post_id=post["post_id"]
    )
    events = [store.reply_event("reply.drafted", row)]
    if needed:
        events.append(await _approval_requested(session, row, me, now))
    return row, found, events


async def _post_to_answer(session: AsyncSession, case: Row, post_id: str | None) -> Row:
    """``post_id`` if it is in the case, else the case's latest post (503 until it arrives)."""
    case_id = case["case_id"]
    if post_id:
        post = await store.get_post(session, post_id)
        if post is None or post["thread_id"] != case["thread_id"]:
            raise ApiProblem(
                422,
                "post_not_in_case",
                f"post {post_id} is not part of case {case_id}",
                field="post_id",
            )
        return post
    post = await store.latest_post(session, case)
    if post is None:
        raise not_ready(
            "post_not_available",
            f"the posts of case {case_id} have not reached the responder yet; retry shortly",
        )
    return post


def _draft_row(
    case: Row,
    post: Row,
    plan: constraints.ReplyPlan,
    needed: tuple[Needed, ...],
    *,
    author: str,
    text: str,
    lang: str | None,
    template_id: str | None,
    at: datetime,
) -> dict[str, Any]:
    """A new reply's row, waiting for its approvals when any is needed."""
    return {
        "reply_id": str(uuid.uuid4()),
        "case_id": case["case_id"],
        "post_id": post["post_id"],
        "platform": post["platform"],
        "adapter": plan.adapter,
        "channel": post["channel"],
        "visibility": plan.visibility,
        "mode": plan.mode,
        "team": case["team"],
        "author_id": author,
        "text": text,
        "lang": lang,
        "template_id": template_id,
        "status": "pending_approval" if needed else "draft",
        "version": 1,
        "needed": store.needed_json(needed),
        "approvals": [],
        "idempotency_key": uuid.uuid4().hex,
        "attempts": 0,
        "needs_check": False,
        "created_at": at,
        "updated_at": at,
        "next_attempt_at": None,
        "lease_owner": None,
        "lease_until": None,
        "platform_reply_id": None,
        "platform_url": None,
        "error": None,
        "error_code": None,
        "sent_at": None,
    }


def _plan(post: Row, answered: bool) -> constraints.ReplyPlan:
    try:
        return constraints.plan_reply(post["platform"], post["kind"], already_answered=answered)
    except constraints.ConstraintError as exc:
        raise ApiProblem(422, exc.code, str(exc), field=exc.field) from exc


def _check(adapter: str, text: str) -> None:
    try:
        constraints.check_text(adapter, text)
    except constraints.ConstraintError as exc:
        raise ApiProblem(422, exc.code, str(exc), field=exc.field) from exc


async def edit_draft(
    session: AsyncSession,
    principal: Principal,
    reply: Row,
    *,
    text: str,
    expected_version: int,
) -> tuple[Row, list[Envelope]]:
    """Replace the text; the editor becomes the author and earlier approvals no longer count
    (they approved other words)."""
    if reply["version"] != expected_version:
        raise ApiProblem(
            412,
            "version_mismatch",
            f"reply is at version {reply['version']}",
            extra={"version": reply["version"]},
        )
    if reply["status"] not in EDITABLE:
        raise ApiProblem(409, "not_editable", f"a {reply['status']} reply cannot be edited")
    _check(reply["adapter"], text)
    case = await store.get_case(session, reply["case_id"])
    post = await store.get_post(session, reply["post_id"])
    assert case is not None
    needed = required_approvals(await store.load_policies(session), store.facts(case, post))
    now = utcnow()
    changes = {
        "text": text,
        "author_id": identity(principal),
        "version": reply["version"] + 1,
        "needed": store.needed_json(needed),
        "approvals": [],
        "status": "pending_approval" if needed else "draft",
        "error": None,
        "error_code": None,
        "updated_at": now,
    }
    t = models.replies
    res = await session.execute(
        update(t)
        .where(t.c.reply_id == reply["reply_id"], t.c.version == expected_version)
        .values(**changes)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        raise ApiProblem(412, "version_mismatch", "reply changed meanwhile")
    row = {**reply, **changes}
    me = identity(principal)
    await store.add_history(session, row, "edited", actor=me, at=now, text=text)
    events = [await _approval_requested(session, row, me, now)] if needed else []
    return row, events


async def _approval_requested(
    session: AsyncSession, row: Row, actor: str, at: datetime
) -> Envelope:
    """Record that the reply waits for its sign-offs; the event to publish with it."""
    await store.add_history(
        session, row, "approval_requested", actor=actor, at=at, needed=row["needed"]
    )
    return store.reply_event("reply.approval_requested", row)
