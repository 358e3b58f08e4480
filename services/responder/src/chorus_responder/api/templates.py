"""Saved replies per team and language (``/v1/templates``)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from chorus_common.auth import Principal
from chorus_common.contracts.events import utcnow
from chorus_common.openapi import links, problem
from chorus_common.problems import ApiProblem, not_found
from fastapi import APIRouter, Query, Response
from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_responder import models
from chorus_responder.access import identity
from chorus_responder.api.deps import (
    RepliesReader,
    SessionDep,
    TemplatesWriter,
    etag,
)
from chorus_responder.api.reads import TemplateList, TemplateRead
from chorus_responder.api.schemas import TemplateCreate, TemplateUpdate
from chorus_responder.domain.templates import TemplateError, placeholders

router = APIRouter(prefix="/v1/templates", tags=["templates"])

_NO_TEMPLATE = problem(404, "template_not_found")


def _view(row: Any) -> dict[str, Any]:
    return {
        "template_id": row.template_id,
        "team": row.team,
        "lang": row.lang,
        "name": row.name,
        "body": row.body,
        "variables": list(placeholders(row.body)),
        "version": row.version,
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def _check_body(body: str) -> None:
    try:
        placeholders(body)
    except TemplateError as exc:
        raise ApiProblem(422, exc.code, str(exc), field="body") from exc


def _may_write(principal: Principal, team: str) -> None:
    if not principal.is_admin and team not in principal.teams:
        raise ApiProblem(
            403, "not_team_member", f"only {team}'s lead or an admin can edit its templates"
        )


@router.get(
    "", response_model=TemplateList, responses=problem(422, "validation_error", "invalid_cursor")
)
async def list_templates(
    principal: RepliesReader,
    session: SessionDep,
    team: Annotated[str | None, Query(max_length=64)] = None,
    lang: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="templates per page")] = 500,
    after: Annotated[str | None, Query(max_length=64, description="the last id seen")] = None,
) -> dict[str, Any]:
    """Templates of the caller's teams by team, language and name, ``limit`` at a time;
    ``next_after`` continues (None: no more)."""
    t = models.templates
    order = (t.c.team, t.c.lang, t.c.name)
    q = select(t).order_by(*order)
    if not principal.can_see_team(None):
        q = q.where(t.c.team.in_(principal.teams))
    if team:
        q = q.where(t.c.team == team)
    if lang:
        q = q.where(t.c.lang == lang)
    if after:
        last = (await session.execute(select(*order).where(t.c.template_id == after))).first()
        if last is None:
            raise ApiProblem(422, "invalid_cursor", "after: no such template", field="query.after")
        q = q.where(tuple_(*order) > tuple_(*last))
    rows = (await session.execute(q.limit(limit + 1))).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "templates": [_view(r) for r in rows],
        "next_after": rows[-1].template_id if more else None,
    }


@router.post(
    "",
    status_code=201,
    response_model=TemplateRead,
    responses=links(
        201,
        {
            f"{m}_template": (
                "/v1/templates/{template_id}",
                m,
                {"template_id": "$response.body#/template_id"},
            )
            for m in ("get", "patch", "delete")
        },
        etag=True,
    )
    | problem(403, "not_team_member")
    | problem(409, "template_exists")
    | problem(422, "validation_error", "invalid_template"),
)
async def create_template(
    body: TemplateCreate, principal: TemplatesWriter, session: SessionDep, response: Response
) -> dict[str, Any]:
    _may_write(principal, body.team)
    _check_body(body.body)
    now = utcnow()
    row = {
        "template_id": str(uuid.uuid4()),
        **body.model_dump(),
        "version": 1,
        "created_by": identity(principal),
        "created_at": now,
        "updated_at": now,
    }
    try:
        await session.execute(models.templates.insert().values(**row))
        await session.commit()
    except IntegrityError as exc:
        raise ApiProblem(
            409, "template_exists", f"{body.team}/{body.lang} already has {body.name!r}"
        ) from exc
    response.headers["ETag"] = etag(1)
    return await _load(session, principal, row["template_id"])


async def _load(session: AsyncSession, principal: Principal, template_id: str) -> dict[str, Any]:
    t = models.templates
    row = (await session.execute(select(t).where(t.c.template_id == template_id))).first()
    if row is None or not principal.can_see_team(row.team):
        raise not_found("template", template_id)
    return _view(row)


@router.get("/{template_id}", response_model=TemplateRead, responses=_NO_TEMPLATE)
async def get_template(
    template_id: str, principal: RepliesReader, session: SessionDep
) -> dict[str, Any]:
    return await _load(session, principal, template_id)


@router.patch(
    "/{template_id}",
    response_model=TemplateRead,
    responses=_NO_TEMPLATE
    | problem(403, "not_team_member")
    | problem(409, "template_exists")
    | problem(422, "validation_error", "invalid_template"),
)
async def update_template(
    template_id: str, body: TemplateUpdate, principal: TemplatesWriter, session: SessionDep
) -> dict[str, Any]:
    current = await _load(session, principal, template_id)
    _may_write(principal, current["team"])
    changes = body.model_dump(exclude_none=True)
    if "body" in changes:
        _check_body(changes["body"])
    t = models.templates
    try:
        await session.execute(
            update(t)
            .where(t.c.template_id == template_id)
            .values(**changes, version=current["version"] + 1, updated_at=utcnow())
        )
        await session.commit()
    except IntegrityError as exc:
        raise ApiProblem(409, "template_exists", "a template with that name exists") from exc
    return await _load(session, principal, template_id)


@router.delete(
    "/{template_id}", status_code=204, responses=_NO_TEMPLATE | problem(403, "not_team_member")
)
async def delete_template(
    template_id: str, principal: TemplatesWriter, session: SessionDep
) -> Response:
    current = await _load(session, principal, template_id)
    _may_write(principal, current["team"])
    t = models.templates
    await session.execute(delete(t).where(t.c.template_id == template_id))
    await session.commit()
    return Response(status_code=204)
