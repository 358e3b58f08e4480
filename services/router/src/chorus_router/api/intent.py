"""The intent classifier's models: the current one, retraining from the teams' corrections,
promotion and roll-back (leads and admins; versioned and audited), and the corrections."""

from __future__ import annotations

from typing import Annotated, Any

from chorus_common.auth import Principal
from chorus_common.openapi import problem, with_etag
from chorus_common.problems import ApiProblem, not_found
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from chorus_router import models
from chorus_router.api.deps import (
    CoreDep,
    RulesReader,
    RulesWriter,
    SessionDep,
    check_if_match,
    etag,
    forbidden,
    jsonable,
)
from chorus_router.api.intent_schemas import (
    CorrectionList,
    CurrentIntentModel,
    IntentModelList,
    IntentModelRead,
    PromotionList,
    PromotionRead,
    TrainingStarted,
)
from chorus_router.intent.service import (
    IntentRefused,
    history,
    kit_of,
    model_view,
    promote,
    rollback,
    stack,
    start_training,
)
from chorus_router.snapshot import utc_row

router = APIRouter(prefix="/v1/intent", tags=["intent"])


def _lead(p: Principal) -> None:
    if not (p.is_admin or p.role == "lead"):
        raise forbidden("only leads and admins train, promote or roll back intent models")


def _refused(exc: IntentRefused) -> ApiProblem:
    return ApiProblem(exc.status, exc.code, str(exc), field=exc.field)


@router.get(
    "/model",
    response_model=CurrentIntentModel,
    responses=with_etag() | problem(503, "no_classifier"),
)
async def current_model(principal: RulesReader, session: SessionDep, core: CoreDep) -> JSONResponse:
    """The model routing uses now (``ETag``: its promotion number), and whether routing asks it
    (``ROUTER_INTENT``)."""
    try:
        kit = kit_of(core)
    except IntentRefused as exc:
        raise _refused(exc) from exc
    rows = await history(session)
    version = stack(rows, kit.shipped().version)[-1]
    seq = rows[-1]["seq"] if rows else 0
    body = {
        "version": version,
        "shipped": version == kit.shipped().version,
        "routing": core.settings.router_intent,
        "promotion": jsonable(utc_row(rows[-1])) if rows else None,
        "metadata": dict(kit.shipped().metadata) if version == kit.shipped().version else None,
    }
    if body["metadata"] is None:
        t = models.intent_models
        meta = (await session.execute(select(t.c.meta).where(t.c.version == version))).scalar()
        body["metadata"] = meta or {}
    return JSONResponse(body, headers={"ETag": etag(seq)})


@router.get("/models", response_model=IntentModelList, responses=problem(503, "no_classifier"))
async def list_models(principal: RulesReader, session: SessionDep, core: CoreDep) -> dict[str, Any]:
    """The shipped model and every model trained here, newest first."""
    try:
        kit = kit_of(core)
    except IntentRefused as exc:
        raise _refused(exc) from exc
    shipped = kit.shipped()
    current = stack(await history(session), shipped.version)[-1]
    t = models.intent_models
    cols = [c for c in t.c if c.name != "model"]
    rows = (await session.execute(select(*cols).order_by(t.c.created_at.desc()))).mappings()
    now, bound = core.clock(), core.settings.router_intent_train_timeout_seconds
    items = [
        model_view(utc_row(r), current=r["version"] == current, now=now, timeout=bound)
        for r in rows
    ]
    base = {
        "version": shipped.version,
        "status": "ready",
        "meta": dict(shipped.metadata),
        "author": "shipped",
    }
    items.append(model_view(base, current=shipped.version == current))
    return {"current": current, "items": items}


@router.get(
    "/models/{version}",
    response_model=IntentModelRead,
    responses=problem(404, "intent_model_not_found") | problem(503, "no_classifier"),
)
async def get_model(
    version: str, principal: RulesReader, session: SessionDep, core: CoreDep
) -> dict[str, Any]:
    listing = await list_models(principal, session, core)
    for item in listing["items"]:
        if item["version"] == version:
            return dict(item)
    raise not_found("intent_model", version)


@router.post(
    "/models",
    status_code=202,
    response_model=TrainingStarted,
    responses=problem(409, "training_in_progress") | problem(503, "no_classifier"),
)
async def train_model(principal: RulesWriter, core: CoreDep) -> JSONResponse:
    """Start training a candidate from the shipped corpus plus the teams' newest corrections
    (``ROUTER_INTENT_MAX_CORRECTIONS``), in the background: 202 with its version, status
    ``training``; ``GET /v1/intent/models/{version}`` says when it is ``ready`` (or
    ``failed``, with why). It routes nothing until promoted. 409 while another trains."""
    _lead(principal)
    try:
        body = await start_training(core, principal.sub)
    except IntentRefused as exc:
        raise _refused(exc) from exc
    return JSONResponse(
        body, status_code=202, headers={"Location": f"/v1/intent/models/{body['version']}"}
    )


async def _change(request: Request, principal: Principal, core: CoreDep,
                  version: str | None) -> JSONResponse:  # fmt: skip
    _lead(principal)
    try:
        kit = kit_of(core)
        async with core.unit() as uow:
            rows = await history(uow.session)
            check_if_match(request, rows[-1]["seq"] if rows else 0, required=False)
            if version is None:
                done = await rollback(uow, kit, principal.sub)
            else:
                done = await promote(uow, kit, principal.sub, version)
    except IntentRefused as exc:
        raise _refused(exc) from exc
    return JSONResponse(done, headers={"ETag": etag(done["seq"])})


@router.post(
    "/models/{version}/promote",
    response_model=PromotionRead,
    responses=with_etag()
    | problem(404, "intent_model_not_found")
    | problem(409, "already_current")
    | problem(422, "model_unreadable")
    | problem(503, "no_classifier"),
)
async def promote_model(
    version: str, request: Request, principal: RulesWriter, core: CoreDep
) -> JSONResponse:
    """Route with ``version`` from now on, on every router instance (audited; If-Match with
    the current model's ETag honoured)."""
    return await _change(request, principal, core, version)


@router.post(
    "/rollback",
    response_model=PromotionRead,
    responses=with_etag() | problem(409, "nothing_to_roll_back") | problem(503, "no_classifier"),
)
async def rollback_model(request: Request, principal: RulesWriter, core: CoreDep) -> JSONResponse:
    """Undo the newest promotion still in force (audited)."""
    return await _change(request, principal, core, None)


@router.get("/promotions", response_model=PromotionList)
async def list_promotions(principal: RulesReader, session: SessionDep) -> dict[str, Any]:
    """Every promotion and roll-back, newest first."""
    rows = await history(session)
    return {"items": [jsonable(utc_row(r)) for r in reversed(rows)]}


@router.get("/corrections", response_model=CorrectionList)
async def list_corrections(
    principal: RulesWriter,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """The teams' corrections (post text, language, the intent of the team the case moved
    to, where from, by whom), newest first, with counts per intent. Leads and admins."""
    _lead(principal)
    t = models.intent_examples
    rows = await session.execute(select(t).order_by(t.c.updated_at.desc()).limit(limit))
    per = await session.execute(select(t.c.intent, func.count()).group_by(t.c.intent))
    return {
        "by_intent": {str(k): int(v) for k, v in per.all()},
        "items": [jsonable(utc_row(r)) for r in rows.mappings()],
    }
