"""Approval endpoints of a reply: approve and reject."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from chorus_common.auth import Principal
from chorus_common.messaging.envelope import Envelope
from chorus_common.openapi import problem, with_etag
from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_responder import approvals
from chorus_responder.api.deps import RepliesApprover, SessionDep, etag
from chorus_responder.api.reads import ReplyRead
from chorus_responder.api.reply_steps import NO_REPLY, Row, commit, visible_reply, with_history
from chorus_responder.api.schemas import ApproveBody, RejectBody

router = APIRouter(prefix="/v1", tags=["replies"])
_DECIDE = problem(403, "four_eyes", "not_an_approver") | problem(
    409, "not_awaiting_approval", "concurrent_change"
)
Decision = Callable[[Row], Awaitable[tuple[Row, list[Envelope]]]]


async def _decide(
    decide: Decision,
    reply_id: str,
    principal: Principal,
    session: AsyncSession,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    """Apply ``decide`` to the visible reply, commit its events and answer with its history."""
    reply, case = await visible_reply(session, principal, reply_id)
    row, events = await decide(reply)
    await commit(request, session, events, row, case)
    response.headers["ETag"] = etag(row["version"])
    return await with_history(session, row)


@router.post(
    "/replies/{reply_id}/approve",
    response_model=ReplyRead,
    responses=with_etag() | NO_REPLY | _DECIDE,
)
async def approve_reply(
    reply_id: str,
    body: ApproveBody,
    principal: RepliesApprover,
    session: SessionDep,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    """Give the sign-offs the caller's teams and role allow (never on their own reply)."""
    return await _decide(
        lambda reply: approvals.approve(session, principal, reply, body.comment),
        reply_id,
        principal,
        session,
        request,
        response,
    )


@router.post(
    "/replies/{reply_id}/reject",
    response_model=ReplyRead,
    responses=with_etag() | NO_REPLY | _DECIDE,
)
async def reject_reply(
    reply_id: str,
    body: RejectBody,
    principal: RepliesApprover,
    session: SessionDep,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    """Reject with a comment; the author edits and asks again."""
    return await _decide(
        lambda reply: approvals.reject(session, principal, reply, body.comment),
        reply_id,
        principal,
        session,
        request,
        response,
    )
