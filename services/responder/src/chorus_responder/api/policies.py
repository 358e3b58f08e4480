"""Approval policies as data (``/v1/policies``)."""

from __future__ import annotations

from typing import Any

from chorus_common.contracts.events import utcnow
from chorus_common.openapi import RETRY_AFTER, links, problem
from chorus_common.problems import ApiProblem, not_found
from fastapi import APIRouter, Response
from sqlalchemy import delete, func, select, update

from chorus_responder import models
from chorus_responder.access import identity
from chorus_responder.api.deps import DirectoryDep, PoliciesWriter, RepliesReader, SessionDep
from chorus_responder.api.reads import PolicyList, PolicyRead
from chorus_responder.directory import Directory, DirectoryUnavailable
from chorus_responder.domain.policy import Policy

router = APIRouter(prefix="/v1/policies", tags=["policies"])
RETRY_AFTER_SECONDS = 5
_TEAM_CHECK = problem(422, "validation_error", "id_mismatch", "unknown_team") | {
    503: {
        "description": "`directory_unavailable`: the router cannot say whether the team "
        "exists; retry after `Retry-After` s",
        "headers": {"Retry-After": RETRY_AFTER},
    }
}


async def _check_team(directory: Directory, policy: Policy) -> None:
    """422 when the required team is not in the router's directory (nobody could sign, and
    every matching reply would wait for ever); 503 + Retry-After when the router cannot say."""
    team = policy.require.team
    try:
        exists = await directory.team_exists(team)
    except DirectoryUnavailable as exc:
        raise ApiProblem(
            503,
            "directory_unavailable",
            f"cannot check team {team!r}: {exc}",
            field="require.team",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from exc
    if not exists:
        raise ApiProblem(
            422,
            "unknown_team",
            f"team {team!r} is not in the router's directory",
            field="require.team",
        )


def _view(row: Any) -> dict[str, Any]:
    return {
        **row.body,
        "position": row.position,
        "updated_by": row.updated_by,
        "updated_at": row.updated_at.isoformat(),
    }


@router.get("", response_model=PolicyList)
async def list_policies(principal: RepliesReader, session: SessionDep) -> dict[str, Any]:
    t = models.policies
    rows = (await session.execute(select(t).order_by(t.c.position, t.c.policy_id))).all()
    return {"policies": [_view(r) for r in rows]}


@router.post(
    "",
    status_code=201,
    response_model=PolicyRead,
    responses=links(
        201,
        {
            f"{m}_policy": ("/v1/policies/{policy_id}", m, {"policy_id": "$response.body#/id"})
            for m in ("put", "delete")
        },
    )
    | problem(409, "policy_exists")
    | _TEAM_CHECK,
)
async def create_policy(
    policy: Policy, principal: PoliciesWriter, session: SessionDep, directory: DirectoryDep
) -> dict[str, Any]:
    """Add a policy at the end; 409 if the id exists, 422 if its team does not."""
    t = models.policies
    if (await session.execute(select(t.c.policy_id).where(t.c.policy_id == policy.id))).first():
        raise ApiProblem(409, "policy_exists", f"policy {policy.id} exists")
    await _check_team(directory, policy)
    last = (await session.execute(select(func.max(t.c.position)))).scalar()
    await session.execute(
        t.insert().values(
            policy_id=policy.id,
            position=(last or 0) + 10,
            body=policy.model_dump(mode="json"),
            updated_by=identity(principal),
            updated_at=utcnow(),
        )
    )
    await session.commit()
    row = (await session.execute(select(t).where(t.c.policy_id == policy.id))).one()
    return _view(row)


@router.put(
    "/{policy_id}",
    response_model=PolicyRead,
    responses=problem(404, "policy_not_found") | _TEAM_CHECK,
)
async def replace_policy(
    policy_id: str,
    policy: Policy,
    principal: PoliciesWriter,
    session: SessionDep,
    directory: DirectoryDep,
) -> dict[str, Any]:
    """Replace a policy (replies already waiting keep the sign-offs they asked for; sending
    re-checks against the current policies); 422 if its team does not exist."""
    if policy.id != policy_id:
        raise ApiProblem(422, "id_mismatch", "body id differs from the path", field="id")
    await _check_team(directory, policy)
    t = models.policies
    res = await session.execute(
        update(t)
        .where(t.c.policy_id == policy_id)
        .values(
            body=policy.model_dump(mode="json"), updated_by=identity(principal), updated_at=utcnow()
        )
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        raise not_found("policy", policy_id)
    await session.commit()
    row = (await session.execute(select(t).where(t.c.policy_id == policy_id))).one()
    return _view(row)


@router.delete("/{policy_id}", status_code=204, responses=problem(404, "policy_not_found"))
async def delete_policy(policy_id: str, principal: PoliciesWriter, session: SessionDep) -> Response:
    t = models.policies
    res = await session.execute(delete(t).where(t.c.policy_id == policy_id))
    if res.rowcount != 1:  # type: ignore[attr-defined]
        raise not_found("policy", policy_id)
    await session.commit()
    return Response(status_code=204)
