"""Brand activity: the brand's own posts (``Post.from_brand``) and its native replies.

A brand post is counted once (keyed by post id) apart from everyone else's posts, so volume,
sentiment and reach stay the customers'. A native reply the router matched to a case (the
``native_reply`` of its ``case.updated``) is that case's reply, sent when the router saw it:
responsiveness and SLA take it as they take a reply sent through Chorus.
"""

from __future__ import annotations

import uuid

from chorus_common.contracts.events import CaseEvent, PostReceived
from chorus_common.contracts.timebuckets import as_utc
from chorus_common.messaging.envelope import Envelope

from chorus_analytics.unit import Unit

NATIVE_STATUS = "sent_natively"
# Reply ids are UUIDs; a native reply's is derived from its post id (the same every time).
_NAMESPACE = uuid.UUID("6f1d2c1e-5b0a-4c8e-9a53-b4a1d0c6e7f2")


def is_brand(event: Envelope) -> bool:
    return bool(event.payload.get("post", {}).get("from_brand"))


def brand_post(event: Envelope, unit: Unit) -> None:
    """Keep the brand post once (an edit or a redelivery adds nothing)."""
    received: PostReceived = event.parsed()
    p = received.post
    unit.brand_posts.setdefault(
        p.id,
        {
            "post_id": p.id,
            "platform": p.platform,
            "channel": p.channel or "",
            "kind": p.kind,
            "created_at": as_utc(p.created_at),
        },
    )


def native_reply_id(post_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, post_id))


async def native_reply(unit: Unit, event: Envelope, case: CaseEvent, team: str) -> None:
    """The case's native reply as a sent reply row (idempotent by post id)."""
    native = case.native_reply
    if native is None:
        return
    reply_id = native_reply_id(native.post_id)
    if await unit.replies.get(reply_id) is not None:
        return
    at = event.occurred_at
    unit.replies.put(
        {
            "reply_id": reply_id,
            "case_id": case.case_id,
            "team": team,
            "platform": case.platform or "",
            "channel": case.channel or "",
            "author_member_id": None,
            "status": NATIVE_STATUS,
            "status_at": at,
            "sent_at": at,
        }
    )
