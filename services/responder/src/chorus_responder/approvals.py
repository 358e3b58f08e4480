"""Approving and rejecting replies: four-eyes, and only the sign-offs the approver can give."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chorus_common.auth import Principal
from chorus_common.contracts.events import utcnow
from chorus_common.messaging.envelope import Envelope
from chorus_common.problems import ApiProblem
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_responder import store
from chorus_responder.access import approver, identity
from chorus_responder.domain.policy import pending, required_approvals, satisfies

Row = Mapping[str, Any]


def _four_eyes(principal: Principal, reply: Row) -> None:
    if identity(principal) == reply["author_id"]:
        raise ApiProblem(
            403, "four_eyes", "the author of a reply cannot approve or reject it (four-eyes rule)"
        )


def _describe(needs: Any) -> str:
    return ", ".join(f"{n.team} {n.role}" for n in needs) or "none"


async def approve(
    session: AsyncSession, principal: Principal, reply: Row, comment: str | None
) -> tuple[dict[str, Any], list[Envelope]]:
    """Record the sign-offs ``principal`` can give; the reply is approved once none is missing."""
    if reply["status"] != "pending_approval":
        raise ApiProblem(409, "not_awaiting_approval", f"the reply is {reply['status']}")
    _four_eyes(principal, reply)
    needed = store.needed_from_json(reply["needed"] or [])
    open_needs = pending(needed, store.approved_keys(reply["approvals"] or []))
    who = approver(principal)
    mine = [n for n in open_needs if satisfies(who, n.team, n.role)]
    if not mine:
        raise ApiProblem(
            403,
            "not_an_approver",
            f"this reply awaits approval by: {_describe(open_needs)}; "
            f"your token (role {principal.role}, teams {', '.join(principal.teams) or 'none'}) "
            "gives none of them",
        )
    now = utcnow()
    approval = {
        "by": who.identity,
        "role": who.role,
        "teams": list(who.teams),
        "keys": [n.key for n in mine],
        "comment": comment,
        "at": now.isoformat(),
    }
    approvals = [*(reply["approvals"] or []), approval]
    left = pending(needed, store.approved_keys(approvals))
    row = await store.save_reply(
        session,
        reply,
        {"approvals": approvals, "status": "pending_approval" if left else "approved"},
    )
    await store.add_history(
        session, row, "approved", actor=who.identity, comment=comment, at=now, keys=approval["keys"]
    )
    event = store.reply_event(
        "reply.approved", row, approver_member_id=who.identity, comment=comment
    )
    return row, [event]


async def reject(
    session: AsyncSession, principal: Principal, reply: Row, comment: str
) -> tuple[dict[str, Any], list[Envelope]]:
    """Send the reply back to its author with the reason; it must be edited to go on."""
    if reply["status"] not in ("pending_approval", "approved"):
        raise ApiProblem(409, "not_awaiting_approval", f"the reply is {reply['status']}")
    _four_eyes(principal, reply)
    who = approver(principal)
    needed = store.needed_from_json(reply["needed"] or [])
    if not any(satisfies(who, n.team, n.role) for n in needed):
        raise ApiProblem(403, "not_an_approver", f"only {_describe(needed)} can reject this reply")
    now = utcnow()
    row = await store.save_reply(session, reply, {"status": "rejected"})
    await store.add_history(session, row, "rejected", actor=who.identity, comment=comment, at=now)
    event = store.reply_event(
        "reply.rejected", row, approver_member_id=who.identity, comment=comment
    )
    return row, [event]


async def recheck(
    session: AsyncSession, reply: Row
) -> tuple[tuple[Any, ...], list[dict[str, Any]]]:
    """The sign-offs the reply needs *now* (case tags and policies may have changed) and
    those still missing."""
    case = await store.get_case(session, reply["case_id"])
    post = await store.get_post(session, reply["post_id"])
    if case is None:
        raise ApiProblem(409, "case_unknown", f"case {reply['case_id']} is unknown")
    needed = required_approvals(await store.load_policies(session), store.facts(case, post))
    missing = pending(needed, store.approved_keys(reply["approvals"] or []))
    return missing, store.needed_json(needed)


async def block_for_approval(
    session: AsyncSession, reply: Row, needed_json: list[dict[str, Any]], actor: str | None
) -> tuple[dict[str, Any], list[Envelope]]:
    """Move a reply that is missing sign-offs back to pending_approval and ask for them."""
    row = await store.save_reply(
        session,
        reply,
        {
            "needed": needed_json,
            "status": "pending_approval",
            "lease_owner": None,
            "lease_until": None,
        },
    )
    await store.add_history(session, row, "approval_requested", actor=actor, needed=needed_json)
    return row, [store.reply_event("reply.approval_requested", row)]


__all__ = ["approve", "block_for_approval", "recheck", "reject"]
