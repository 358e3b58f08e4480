"""What ingest knows of one post: when it was accepted, each revision's trace id, and which
posts a platform URL names (the read side of `chorus trace`). No text, no author."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_ingest import models

REVISIONS_SHOWN = 20
# The post's fields a trace shows: where it came from and which conversation it belongs to.
TRACE_FIELDS = ("platform", "channel", "kind", "native_id", "thread_id", "in_reply_to", "url")


def url_key(url: str | None) -> str | None:
    """A digest of a post URL, the same whatever the case of its scheme and host, a trailing
    slash or a fragment (what a browser's address bar may add)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    normal = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))
    return hashlib.sha256(normal.encode()).hexdigest()


async def post_record(session: AsyncSession, post_id: str) -> dict[str, Any] | None:
    """The post's dedup state and its latest archived revisions (newest first), or None."""
    seen = models.seen_posts
    row = (await session.execute(select(seen).where(seen.c.post_id == post_id))).mappings().first()
    if row is None:
        return None
    a = models.archive
    revisions = (
        await session.execute(
            select(a.c.id, a.c.revision, a.c.received_at, a.c.trace_id)
            .where(a.c.post_id == post_id)
            .order_by(a.c.id.desc())
            .limit(REVISIONS_SHOWN)
        )
    ).all()
    latest: dict[str, Any] = {}
    if revisions:  # only the newest revision's body: where the post came from
        body = await session.scalar(select(a.c.post).where(a.c.id == revisions[0].id))
        latest = orjson.loads(body) if body else {}
    return {
        "post_id": post_id,
        "platform": row["platform"],
        **{k: latest.get(k) for k in TRACE_FIELDS if k != "platform"},
        "revision": row["revision"],
        "first_seen_at": _iso(row["first_seen_at"]),
        "last_seen_at": _iso(row["last_seen_at"]),
        "trace_id": revisions[0].trace_id if revisions else None,
        "revisions": [
            {
                "revision": r.revision,
                "received_at": _iso(r.received_at),
                "trace_id": r.trace_id,
            }
            for r in revisions
        ],
        "archived": bool(revisions),
    }


def _iso(at: datetime) -> str:
    """UTC ISO 8601 (SQLite gives the stored UTC time back without its zone)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).isoformat()


async def posts_at_url(session: AsyncSession, url: str, limit: int) -> list[str]:
    """Ids of the posts archived with this URL, most recent first."""
    a = models.archive
    key = url_key(url)
    rows = await session.execute(
        select(a.c.post_id, a.c.id).where(a.c.url_key == key).order_by(a.c.id.desc()).limit(200)
    )
    return list(dict.fromkeys(r.post_id for r in rows))[:limit]
