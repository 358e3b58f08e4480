"""Approval endpoints of a reply: approve and reject."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from chorus_common.messaging.envelope import Envelope
from chorus_common.openapi import problem, with_etag
from fastapi import APIRouter, Depends, Request, Response

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


class _Deciding:
    """The request an approver decides a reply in."""

    def __init__(
        self,
        principal: RepliesApprover,
        session: SessionDep,
        request: Request,
        response: Response,
    ) -> None:
        self.principal = principal
        self.session = session
        self.request = request
        self.response = response

    async def decide(self, reply_id: str, decide: Decision) -> dict[str, Any]:
        """Apply ``decide`` to the visible reply, commit its events, answer with its history."""
        reply, case = await visible_reply(self.session, self.principal, reply_id)
        row, events = await decide(reply)
        await commit(self.request, self.session, events, row, case)
        self.response.headers["ETag"] = etag(row["version"])
        return await with_history(self.session, row)


DecidingDep = Annotated[_Deciding, Depends()]


@router.post(
    "/replies/{reply_id}/approve",
    response_model=ReplyRead,
    responses=with_etag() | NO_REPLY | _DECIDE,
)
async def approve_reply(reply_id: str, body: ApproveBody, call: DecidingDep) -> dict[str, Any]:
    """Give the sign-offs the caller's teams and role allow (never on their own reply)."""
    return await call.decide(
        reply_id, lambda reply: approvals.approve(call.session, call.principal, reply, body.comment)
    )


@router.post(
    "/replies/{reply_id}/reject",
    response_model=ReplyRead,
    responses=with_etag() | NO_REPLY | _DECIDE,
)
async def reject_reply(reply_id: str, body: RejectBody, call: DecidingDep) -> dict[str, Any]:
    """Reject with a comment; the author edits and asks again."""
    return await call.decide(
        reply_id, lambda reply: approvals.reject(call.session, call.principal, reply, body.comment)
    )
