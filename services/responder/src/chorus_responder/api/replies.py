"""Reply endpoints: draft, list, read, edit, send (approvals: reply_approvals.py)."""

from __future__ import annotations

from typing import Annotated, Any

from chorus_common.openapi import RETRY_AFTER, problem, with_etag
from chorus_common.problems import ApiProblem, not_found
from fastapi import APIRouter, Header, Query, Request, Response
from sqlalchemy import select

from chorus_responder import drafts, models, outgoing, store
from chorus_responder.access import approver, sees_as_approver, sees_case
from chorus_responder.api.deps import (
    ArrivalsDep,
    RepliesReader,
    RepliesWriter,
    SessionDep,
    SettingsDep,
    etag,
    parse_if_match,
)
from chorus_responder.api.reads import CaseRepliesRead, DraftRead, ReplyList, ReplyRead
from chorus_responder.api.reply_steps import NO_REPLY, commit, visible_reply, with_history
from chorus_responder.api.schemas import ReplyCreate, ReplyUpdate, SendBody
from chorus_responder.api.views import reply_view
from chorus_responder.arrivals import known_case
from chorus_responder.domain.policy import pending, satisfies

router = APIRouter(prefix="/v1", tags=["replies"])
_NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "`case_not_ready`, `post_not_available`: the case (or its post) has "
        "not reached the responder yet; retry after `Retry-After` s",
        "headers": {"Retry-After": RETRY_AFTER},
    }
}


@router.post(
    "/cases/{case_id}/replies",
    status_code=201,
    response_model=DraftRead,
    responses=with_etag(201)
    | problem(404, "case_not_found")
    | problem(409, "collision", "case_unknown")
    | problem(
        422,
        "validation_error",
        "template_not_found",
        "post_not_in_case",
        "invalid_template",
        "missing_variable",
        "too_long",
        "kind_not_supported",
        "platform_not_supported",
    )
    | _NOT_READY,
)
async def create_reply(
    case_id: str,
    body: ReplyCreate,
    principal: RepliesWriter,
    session: SessionDep,
    settings: SettingsDep,
    arrivals: ArrivalsDep,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    """Draft a reply to the case's latest post (or ``post_id``); 409 if someone just replied.
    A case (or its post) not read by the responder yet is waited for, up to
    ``RESPONDER_CASE_WAIT_SECONDS``, then 503 with ``Retry-After``."""
    if (body.text is None) == (body.template_id is None):
        raise ApiProblem(
            422, "validation_error", "give exactly one of text or template_id", field="text"
        )
    await known_case(
        session,
        arrivals,
        principal,
        case_id,
        post_id=body.post_id,
        wait=settings.case_wait_seconds,
    )
    row, found, events = await drafts.create_draft(
        session,
        principal,
        settings,
        case_id,
        text=body.text,
        template_id=body.template_id,
        variables=body.variables,
        post_id=body.post_id,
        force=body.force,
    )
    case = await store.get_case(session, case_id)
    await commit(request, session, events, row, case)
    request.app.state.broadcaster.publish({**store.activity("reply.drafting", row, case)})
    response.headers["ETag"] = etag(row["version"])
    response.headers["Location"] = f"/v1/replies/{row['reply_id']}"
    return {**await with_history(session, row), "collisions": found}


@router.get(
    "/cases/{case_id}/replies",
    response_model=CaseRepliesRead,
    responses=problem(404, "case_not_found") | _NOT_READY,
)
async def list_replies(
    case_id: str,
    principal: RepliesReader,
    session: SessionDep,
    settings: SettingsDep,
    arrivals: ArrivalsDep,
    limit: Annotated[int, Query(ge=1, le=500, description="the newest replies")] = 200,
) -> dict[str, Any]:
    """The case's replies with their full history, and who else is active on the case. A
    case not read by the responder yet is waited for as when drafting (503 after it)."""
    await known_case(
        session, arrivals, principal, case_id, need_post=False, wait=settings.case_wait_seconds
    )
    case = await store.get_case(session, case_id)
    replies, older = await store.replies_of_case(session, case_id, limit) if case else ([], False)
    if case is None or not (sees_case(principal, case) or sees_as_approver(principal, replies)):
        raise not_found("case", case_id)
    hist = await store.history_of(session, [r["reply_id"] for r in replies])
    me = principal.member_id or principal.sub
    return {
        "case_id": case_id,
        "case_status": case["status"],
        "team": case["team"],
        "replies": [reply_view(r, hist[r["reply_id"]]) for r in replies],
        "older_replies": older,
        "collisions": await drafts.collisions(session, case_id, me, settings),
    }


@router.get("/replies", response_model=ReplyList)
async def list_all_replies(
    principal: RepliesReader,
    session: SessionDep,
    status: Annotated[str | None, Query(max_length=20)] = None,
    awaiting_me: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Replies the caller may see, newest first; ``awaiting_me`` lists those they can approve."""
    t = models.replies
    q = select(t).order_by(t.c.updated_at.desc()).limit(limit * 5)
    if awaiting_me:
        q = q.where(t.c.status == "pending_approval")
    elif status:
        q = q.where(t.c.status == status)
    rows = [dict(r) for r in (await session.execute(q)).mappings()]
    who = approver(principal)
    cases = {} if awaiting_me else await store.cases_by_id(session, (r["case_id"] for r in rows))
    out: list[dict[str, Any]] = []
    for r in rows:
        if awaiting_me:
            if r["author_id"] == who.identity:
                continue
            open_needs = pending(
                store.needed_from_json(r["needed"] or []), store.approved_keys(r["approvals"] or [])
            )
            if not any(satisfies(who, n.team, n.role) for n in open_needs):
                continue
        else:
            case = cases.get(r["case_id"])
            if case is None or not (sees_case(principal, case) or sees_as_approver(principal, [r])):
                continue
        out.append(reply_view(r))
        if len(out) >= limit:
            break
    return {"replies": out}


@router.get(
    "/replies/{reply_id}",
    response_model=ReplyRead,
    responses=with_etag() | NO_REPLY,
)
async def get_reply(
    reply_id: str, principal: RepliesReader, session: SessionDep, response: Response
) -> dict[str, Any]:
    reply, _case = await visible_reply(session, principal, reply_id)
    response.headers["ETag"] = etag(reply["version"])
    return await with_history(session, reply)


@router.patch(
    "/replies/{reply_id}",
    response_model=ReplyRead,
    responses=with_etag()
    | NO_REPLY
    | problem(403, "not_case_member")
    | problem(409, "not_editable", "concurrent_change")
    | problem(412, "version_mismatch")
    | problem(428, "if_match_required"),
)
async def edit_reply(
    reply_id: str,
    body: ReplyUpdate,
    principal: RepliesWriter,
    session: SessionDep,
    request: Request,
    response: Response,
    if_match: Annotated[
        str | None,
        Header(description="the ETag last read; 428 without it, 412 when the reply changed"),
    ] = None,
) -> dict[str, Any]:
    """Edit the text (If-Match required); approvals start over."""
    version = parse_if_match(if_match)
    reply, case = await visible_reply(session, principal, reply_id)
    if not sees_case(principal, case):
        raise ApiProblem(403, "not_case_member", "only the case's teams can edit its replies")
    row, events = await drafts.edit_draft(
        session, principal, reply, text=body.text, expected_version=version
    )
    await commit(request, session, events, row, case)
    request.app.state.broadcaster.publish(store.activity("reply.drafting", row, case))
    response.headers["ETag"] = etag(row["version"])
    return await with_history(session, row)


@router.post(
    "/replies/{reply_id}/send",
    status_code=202,
    response_model=ReplyRead,
    responses=with_etag(202)
    | NO_REPLY
    | problem(403, "not_case_member")
    | problem(409, "not_approved", "approval_required", "outcome_unknown", "concurrent_change"),
)
async def send_reply(
    reply_id: str,
    principal: RepliesWriter,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
    body: SendBody | None = None,
) -> dict[str, Any]:
    """Queue an approved reply for delivery (the worker calls the platform, exactly once)."""
    reply, case = await visible_reply(session, principal, reply_id)
    if not sees_case(principal, case):
        raise ApiProblem(403, "not_case_member", "only the case's teams can send its replies")
    row, events, refusal = await outgoing.request_send(
        session, principal, reply, settings, force=bool(body and body.force)
    )
    await commit(request, session, events, row, case)
    if refusal is not None:
        raise refusal
    request.app.state.worker.kick()
    request.app.state.broadcaster.publish(store.activity("reply.sending", row, case))
    response.headers["ETag"] = etag(row["version"])
    return await with_history(session, row)
