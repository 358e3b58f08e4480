"""Case ids: deterministic, and ascending with the time the conversation opened."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

CASE_NS = uuid.UUID("6f1c2a52-8f39-4c53-9d1e-4b0f3c1e2a77")
_CASE_NS_BYTES = CASE_NS.bytes


def case_id_for(platform: str, thread_id: str, opened_at: datetime) -> str:
    """The id of the case a conversation's first post opens: 12 hex digits of the post's
    ``received_at`` in Unix milliseconds, then 20 of a name-based UUID of the conversation.

    Deterministic (a unit replayed after a crash opens the same id) and ascending with time:
    the case id keys the cases' primary key, the case-posts, case-teams, watch and hand-off
    log indexes here and the case tables of responder and analytics, and a random id (a
    plain UUID, as before) put every new case on a random page of each of those indexes.
    One conversation has one case for life (reopened, never opened twice), so its id is
    found by the conversation, never recomputed from it."""
    ms = int(opened_at.timestamp() * 1000) & 0xFFFF_FFFF_FFFF
    return f"{ms:012x}{_uuid5_head(f'{platform}|{thread_id}')}"


def _uuid5_head(name: str) -> str:
    """``uuid.uuid5(CASE_NS, name).hex[:20]``, without building the UUID (SHA-1 of the
    namespace and the name, then the version and variant bits, as RFC 9562 sets them)."""
    head = bytearray(
        hashlib.sha1(_CASE_NS_BYTES + name.encode(), usedforsecurity=False).digest()[:10]
    )
    head[6] = (head[6] & 0x0F) | 0x50  # version 5
    head[8] = (head[8] & 0x3F) | 0x80  # the RFC variant
    return head.hex()
