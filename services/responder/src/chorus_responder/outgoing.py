"""Asking for a reply to be sent: only approved replies, and only once at a time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chorus_common.auth import Principal
from chorus_common.contracts.events import utcnow
from chorus_common.messaging.envelope import Envelope
from chorus_common.problems import ApiProblem
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_responder import store
from chorus_responder.access import identity
from chorus_responder.approvals import block_for_approval, recheck
from chorus_responder.drafts import collisions, refuse_if_replied
from chorus_responder.settings import ResponderSettings

Row = Mapping[str, Any]
SENDABLE = ("draft", "approved", "failed")


def refuse_unsendable(reply: Row, *, force: bool) -> None:
    """409 for a reply that is not approved, already on its way, or of unknown outcome."""
    status = reply["status"]
    if status in ("sending", "sent"):
        raise ApiProblem(409, f"already_{status}", f"the reply is already {status}")
    if status not in SENDABLE:
        raise ApiProblem(
            409, "not_approved", f"a {status} reply cannot be sent; it needs approval first"
        )
    if status == "failed" and reply["error_code"] == "outcome_unknown" and not force:
        raise ApiProblem(
            409,
            "outcome_unknown",
            "the platform may already show this reply; check it, then send with force=true",
        )


async def request_send(
    session: AsyncSession,
    principal: Principal,
    reply: Row,
    settings: ResponderSettings,
    *,
    force: bool,
) -> tuple[dict[str, Any], list[Envelope], ApiProblem | None]:
    """Queue the reply for the send worker. Returns the reply, events to stage, and an error
    to answer with *after* committing (a reply found missing sign-offs is moved back to
    pending_approval, which must be kept)."""
    refuse_unsendable(reply, force=force)
    missing, needed_now = await recheck(session, reply)
    if missing:
        row, events = await block_for_approval(session, reply, needed_now, identity(principal))
        err = ApiProblem(
            409,
            "approval_required",
            "this reply needs approval by: " + ", ".join(f"{n.team} {n.role}" for n in missing),
            extra={"reply": {"reply_id": row["reply_id"], "status": row["status"]}},
        )
        return row, events, err
    refuse_if_replied(
        await collisions(session, reply["case_id"], reply["author_id"], settings), force
    )
    now = utcnow()
    changes = {
        "status": "sending",
        "needed": needed_now,
        "attempts": 0,
        "next_attempt_at": now,
        "needs_check": False,
        "lease_owner": None,
        "lease_until": None,
        "error": None,
        "error_code": None,
    }
    row = await store.save_reply(session, reply, changes, now)
    await store.add_history(session, row, "send_requested", actor=identity(principal), at=now)
    return row, [], None
