"""Who may see and act on a case's replies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chorus_common.auth import Principal

from chorus_responder.domain.policy import Approver


def identity(principal: Principal) -> str:
    return principal.member_id or principal.sub


def approver(principal: Principal) -> Approver:
    return Approver(identity(principal), principal.role, tuple(principal.teams))


def sees_case(principal: Principal, case: Mapping[str, Any]) -> bool:
    return principal.can_see_any([case["team"], *(case["collaborators"] or [])])


def sees_as_approver(principal: Principal, replies: Iterable[Mapping[str, Any]]) -> bool:
    """Approvers from other teams (legal, PR, brand) see the replies they are asked to sign."""
    teams = set(principal.teams)
    return any(n["team"] in teams for r in replies for n in (r["needed"] or []))
