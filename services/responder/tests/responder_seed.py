"""Fill the responder's tables directly with a large, known amount of data (bounds tests)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chorus_common.persistence import bulk
from chorus_responder import models
from sqlalchemy.ext.asyncio import AsyncSession

CHUNK = 5000
TEXT = "Thank you for your message, we are looking into it right now. " * 4


async def put(session: AsyncSession, table: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    stmt = bulk.insert_rows(session.get_bind().dialect.name, table, tuple(rows[0]))
    for i in range(0, len(rows), CHUNK):
        await bulk.run_dicts(session, stmt, rows[i : i + CHUNK])


def case_row(case_id: str, now: datetime) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "thread_id": f"th-{case_id}",
        "status": "assigned",
        "team": "support",
        "assignee": "ann",
        "priority": "P3",
        "platform": "x",
        "channel": "brand",
        "latest_post_id": f"x:{case_id}",
        "tags": [],
        "approvals_required": [],
        "collaborators": [],
        "version": 1,
        "updated_at": now,
    }


def reply_row(i: int, case_id: str, now: datetime) -> dict[str, Any]:
    return {
        "reply_id": f"r-{i:07d}",
        "case_id": case_id,
        "post_id": f"x:{case_id}",
        "platform": "x",
        "adapter": "x",
        "channel": "brand",
        "visibility": "public",
        "mode": "reply",
        "team": "support",
        "author_id": f"agent{i % 30}",
        "text": TEXT,
        "lang": "en",
        "template_id": None,
        "status": "pending_approval",
        "version": 1,
        "needed": [
            {
                "key": "legal:member",
                "team": "legal",
                "role": "member",
                "policy_id": "p",
                "reason": "",
            }
        ],
        "approvals": [],
        "idempotency_key": f"k-{i}",
        "attempts": 0,
        "next_attempt_at": None,
        "lease_owner": None,
        "lease_until": None,
        "needs_check": False,
        "platform_reply_id": None,
        "platform_url": None,
        "error": None,
        "error_code": None,
        "created_at": now - timedelta(seconds=i),
        "updated_at": now - timedelta(seconds=i),
        "sent_at": None,
    }


def history_row(reply: dict[str, Any], n: int, now: datetime) -> dict[str, Any]:
    return {
        "reply_id": reply["reply_id"],
        "case_id": reply["case_id"],
        "step": "edited",
        "actor": reply["author_id"],
        "comment": None,
        "data": {"text": TEXT},
        "at": now + timedelta(milliseconds=n),
    }


async def seed(
    session: AsyncSession, now: datetime, *, cases: int, replies: int, on_one_case: int, edits: int
) -> None:
    """``replies`` replies over ``cases`` cases (every one in ``support``, awaiting legal),
    ``on_one_case`` more on ``busy``, one of them (``r-busy``) edited ``edits`` times, and
    five history entries for every other reply."""
    ids = [f"case-{c:05d}" for c in range(cases)]
    await put(session, models.case_view, [case_row(c, now) for c in [*ids, "busy"]])
    rows = [reply_row(i, ids[i % cases], now) for i in range(replies)]
    rows += [reply_row(replies + i, "busy", now) for i in range(on_one_case)]
    rows[-1] = {**rows[-1], "reply_id": "r-busy", "created_at": now + timedelta(hours=1)}
    await put(session, models.replies, rows)
    history = [history_row(r, n, now) for r in rows for n in range(5)]
    history += [history_row(rows[-1], n, now) for n in range(5, edits)]
    await put(session, models.reply_history, history)
    await put(
        session,
        models.templates,
        [
            {
                "template_id": f"t-{i:05d}",
                "team": "support" if i % 2 else "legal",
                "lang": "en",
                "name": f"template {i}",
                "body": TEXT,
                "version": 1,
                "created_by": "lead",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(2_000)
        ],
    )
