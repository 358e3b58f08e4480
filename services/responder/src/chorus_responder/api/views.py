"""How replies look in API answers (never the idempotency key's internals or lease data)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chorus_responder import store
from chorus_responder.domain.constraints import LIMITS


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def reply_view(
    reply: Mapping[str, Any], history: Sequence[Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    done = store.approved_keys(reply["approvals"] or [])
    needed = [{**n, "satisfied": n["key"] in done} for n in (reply["needed"] or [])]
    limit = LIMITS.get(reply["adapter"])
    out: dict[str, Any] = {
        "reply_id": reply["reply_id"],
        "case_id": reply["case_id"],
        "post_id": reply["post_id"],
        "platform": reply["platform"],
        "adapter": reply["adapter"],
        "channel": reply["channel"],
        "visibility": reply["visibility"],
        "mode": reply["mode"],
        "team": reply["team"],
        "author_id": reply["author_id"],
        "text": reply["text"],
        "lang": reply["lang"],
        "template_id": reply["template_id"],
        "status": reply["status"],
        "version": reply["version"],
        "approvals_needed": needed,
        "approvals_pending": [n for n in needed if not n["satisfied"]],
        "approvals": reply["approvals"] or [],
        "length": (
            {"value": limit.measure(reply["text"]), "maximum": limit.maximum, "unit": limit.unit}
            if limit
            else None
        ),
        "attempts": reply["attempts"],
        "next_attempt_at": _iso(reply["next_attempt_at"]) if reply["status"] == "sending" else None,
        "platform_reply_id": reply["platform_reply_id"],
        "platform_url": reply["platform_url"],
        "error": reply["error"],
        "error_code": reply["error_code"],
        "created_at": _iso(reply["created_at"]),
        "updated_at": _iso(reply["updated_at"]),
        "sent_at": _iso(reply["sent_at"]),
    }
    if history is not None:
        out["history"] = [
            {
                "step": h["step"],
                "actor": h["actor"],
                "comment": h["comment"],
                "at": _iso(h["at"]),
                "data": h["data"],
            }
            for h in history
        ]
    return out
