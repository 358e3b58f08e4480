"""A reply's text from a template: the variables the template may use, and its rendering."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chorus_common.auth import Principal
from chorus_common.problems import ApiProblem
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_responder import models
from chorus_responder.access import identity
from chorus_responder.domain.templates import TemplateError, render
from chorus_responder.settings import ResponderSettings

Row = Mapping[str, Any]


def template_variables(
    case: Row,
    post: Row,
    principal: Principal,
    settings: ResponderSettings,
    extra: Mapping[str, str],
) -> dict[str, str | None]:
    """What a template may use; caller-supplied values cannot override the known ones."""
    known: dict[str, str | None] = {
        "author.display_name": post["author_display_name"],
        "author.handle": post["author_handle"],
        "author.name": post["author_display_name"] or post["author_handle"],
        "brand": settings.brand,
        "case.id": case["case_id"],
        "case.priority": case["priority"],
        "case.team": case["team"],
        "post.platform": post["platform"],
        "post.url": post["url"],
        "channel": post["channel"],
        "agent.id": identity(principal),
    }
    return {**{f"var.{k}": v for k, v in extra.items()}, **dict(extra), **known}


async def render_template(
    session: AsyncSession, template_id: str, variables: Mapping[str, str | None]
) -> tuple[str, str]:
    t = models.templates
    row = (await session.execute(select(t).where(t.c.template_id == template_id))).first()
    if row is None:
        raise ApiProblem(
            422, "template_not_found", f"no template {template_id}", field="template_id"
        )
    try:
        return render(row.body, variables), row.lang
    except TemplateError as exc:
        raise ApiProblem(
            422, exc.code, str(exc), field="variables", extra={"variable": exc.name}
        ) from exc
