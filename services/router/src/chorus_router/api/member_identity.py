"""Members' sign-in identity: e-mail and OpenID subject name one member each; who sets them."""

from __future__ import annotations

from typing import Any

from chorus_common.auth import Principal
from sqlalchemy import func, select

from chorus_router import models
from chorus_router.api.deps import ApiProblem, forbidden
from chorus_router.core import Uow
from chorus_router.domain.identity import normal_email

IDENTITY_CONFLICTS = ("email_taken", "oidc_subject_taken")


async def check_identity(
    uow: Uow, principal: Principal, data: dict[str, Any], member_id: str, *, target_admin: bool
) -> None:
    """403 when a lead touches what only admins may; 409 when another member has the identity."""
    if data.get("admin", target_admin) != target_admin and not principal.is_admin:
        raise forbidden("only admins grant or withdraw admin")
    if target_admin and not principal.is_admin and {"email", "oidc_subject"} & data.keys():
        raise forbidden("only admins change an admin's sign-in identity")
    t = models.members
    if data.get("email"):
        data["email"] = data["email"].strip()
        same = func.lower(t.c.email) == normal_email(data["email"])
        await _unique(uow, same, member_id, "email", "email_taken")
    if data.get("oidc_subject"):
        await _unique(uow, t.c.oidc_subject == data["oidc_subject"], member_id, "oidc_subject",
                      "oidc_subject_taken")  # fmt: skip


async def _unique(uow: Uow, where: Any, member_id: str, field: str, code: str) -> None:
    t = models.members
    other = (await uow.session.execute(select(t.c.id).where(where, t.c.id != member_id))).first()
    if other is not None:
        raise ApiProblem(409, code, f"member {other.id!r} has this {field}", field=field)
