"""The router's decisions as log lines: one INFO line per post routed and per case (re)assigned
outside post routing (queue release, rebalancing, idle owners, hand-backs, transfers).

Written after the unit's commit, so a line stands for a decision that holds. Ids, teams,
rule ids and the intent only: no post text, no author.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from chorus_common.messaging.envelope import Envelope

from chorus_router.casework.case import Case

log = logging.getLogger("chorus_router.decisions")

ASSIGNMENTS = ("case.assigned", "case.reassigned")


def rule_ids(matched: Sequence[dict[str, Any]]) -> list[str]:
    return [str(m["rule"]) for m in matched]


def intent_fields(intent: dict[str, Any] | None) -> dict[str, Any]:
    """The classifier's verdict, when it was asked: its intent and confidence."""
    if not intent:
        return {}
    return {"intent": intent.get("intent"), "intent_confidence": intent.get("confidence")}


def note(
    routed: list[dict[str, Any]],
    trace_id: str,
    post_id: str,
    case: Case,
    action: str,
    matched: Sequence[dict[str, Any]],
    intent: dict[str, Any] | None,
) -> None:
    """Keep one post's routing line for after the commit (``action``: opened, added, edited,
    reopened; ``matched``: the rules that matched the post; ``intent``: the verdict)."""
    routed.append(
        {
            "post_id": post_id,
            "case_id": case.id,
            "action": action,
            "status": case.status,
            "team": case.team,
            "member": case.assignee,
            "priority": case.priority,
            "rules": rule_ids(matched),
            **intent_fields(intent),
            "trace_id": trace_id,
        }
    )


def log_unit(routed: Sequence[dict[str, Any]], events: Sequence[Envelope]) -> None:
    """Log a committed unit's decisions: its routed posts, then the assignments of cases no
    post of the unit touched (those are in the post's line)."""
    if not log.isEnabledFor(logging.INFO):
        return
    for fields in routed:
        log.info("post routed", extra=fields)
    seen = {fields["case_id"] for fields in routed}
    for e in events:
        if e.type not in ASSIGNMENTS or e.payload["case_id"] in seen:
            continue
        p = e.payload
        decision = p.get("decision") or {}
        log.info(
            "case assigned",
            extra={
                "case_id": p["case_id"],
                "action": e.type.removeprefix("case."),
                "status": p["status"],
                "team": p["team"],
                "member": p["assignee"],
                "previous_member": p.get("previous_assignee"),
                "priority": p["priority"],
                "rules": rule_ids(decision.get("matched") or ()),
                **intent_fields(decision.get("intent")),
                "trace_id": e.trace_id,
            },
        )
