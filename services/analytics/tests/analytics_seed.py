"""Fill analytics' tables directly with a large, known amount of data (bounds tests)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chorus_analytics import models
from chorus_common.persistence import bulk
from sqlalchemy.ext.asyncio import AsyncSession

TEAMS = ("support", "legal", "pr")
CHUNK = 5000


async def _put(session: AsyncSession, table: Any, rows: list[dict[str, Any]]) -> None:
    dialect = session.get_bind().dialect.name
    for i in range(0, len(rows), CHUNK):
        await bulk.run_dicts(session, bulk.insert_rows(dialect, table), rows[i : i + CHUNK])


def _post(i: int, day: datetime) -> dict[str, Any]:
    return {
        "post_id": f"x:{i}",
        "thread_id": f"th-{i}",
        "platform": "x",
        "channel": f"@brand{i % 4}",
        "kind": "mention",
        "lang": "en",
        "sentiment": "negative" if i % 3 == 0 else "positive",
        "sentiment_score": -0.5 if i % 3 == 0 else 0.5,
        "team": TEAMS[i % 3],
        "author_id": f"author{i % 5000}",
        "author_handle": f"@author{i % 5000}",
        "author_followers": i,
        "author_verified": False,
        "created_at": day,
        "likes": 1,
        "shares": 0,
        "replies": 0,
        "views": 10,
        "terms": [f"term{i % 2000}", f"#tag{i % 700}"],
        "revision": 1,
    }


def _case(i: int, day: datetime) -> dict[str, Any]:
    return {
        "case_id": f"c{i}",
        "thread_id": f"th-{i}",
        "status": "resolved" if i % 2 else "assigned",
        "team": TEAMS[i % 3],
        "assignee": f"m{i % 150}",
        "priority": f"P{1 + i % 4}",
        "platform": "x",
        "channel": f"@brand{i % 4}",
        "post_received_at": day,
        "opened_at": day + timedelta(seconds=1),
        "first_assigned_at": day + timedelta(seconds=2 + i % 60),
        "sla_due_at": day + timedelta(hours=1),
        "sla_breached_at": None,
        "resolved_at": day + timedelta(minutes=30 + i % 90) if i % 2 else None,
        "resolved_by": f"m{i % 150}" if i % 2 else None,
        "reopen_count": 0,
        "version": 3,
        "updated_at": day,
        "hands_version": 3,
        "hands_at": day,
        "handoffs": i % 3,
        "team_handoffs": i % 2,
    }


def _reply(i: int, day: datetime) -> dict[str, Any]:
    return {
        "reply_id": f"r{i}",
        "case_id": f"c{i}",
        "team": TEAMS[i % 3],
        "platform": "x",
        "channel": f"@brand{i % 4}",
        "author_member_id": f"m{i % 150}",
        "status": "sent",
        "status_at": day + timedelta(minutes=20),
        "drafted_at": day + timedelta(minutes=5),
        "approval_requested_at": day + timedelta(minutes=6),
        "approved_at": day + timedelta(minutes=6, seconds=30 + i % 300),
        "rejected_at": None,
        "sent_at": day + timedelta(minutes=20),
        "failed_at": None,
        "error_code": None,
    }


async def seed(
    session: AsyncSession, now: datetime, *, days: int, channels: int, records: int
) -> None:
    """``days`` x ``channels`` day buckets of posts and of four reply event types per team,
    and ``records`` posts (two terms each), cases (three time-in-hands rows each) and
    replies spread over those days, 150 members."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=days - 1)
    pb = [
        {
            "grain": "d",
            "bucket": start + timedelta(days=d),
            "platform": "x",
            "channel": f"@brand{c}",
            "kind": "mention",
            "lang": "en",
            "sentiment": "negative",
            "team": TEAMS[c % 3],
            "posts": 3,
            "likes": 1,
            "shares": 1,
            "replies": 1,
            "views": 9,
            "sentiment_sum": -1.5,
        }
        for d in range(days)
        for c in range(channels)
    ]
    await _put(session, models.post_buckets, pb)
    eb = [
        {
            "grain": "d",
            "bucket": start + timedelta(days=d),
            "type": f"reply.{t}",
            "team": TEAMS[d % 3],
            "platform": "x",
            "priority": "",
            "detail": "",
            "count": 2,
        }
        for d in range(days)
        for t in ("drafted", "approved", "sent", "failed")
    ]
    await _put(session, models.event_buckets, eb)
    when = [start + timedelta(days=(i * days) // records, minutes=i % 600) for i in range(records)]
    posts = [_post(i, when[i]) for i in range(records)]
    await _put(session, models.posts, posts)
    terms = [
        {
            "post_id": p["post_id"],
            "term": term,
            "channel": p["channel"],
            "team": p["team"],
            "negative": p["sentiment"] == "negative",
            "created_at": p["created_at"],
        }
        for p in posts
        for term in p["terms"]
    ]
    await _put(session, models.post_terms, terms)
    await _put(session, models.cases, [_case(i, when[i]) for i in range(records)])
    await _put(session, models.replies, [_reply(i, when[i]) for i in range(records)])
    hands = [
        {
            "case_id": f"c{i}",
            "team": TEAMS[i % 3],
            "member": f"m{i % 150}" if state != "queue" else "",
            "state": "open" if state == "queue" else state,
            "seconds": float(60 + i % 500),
        }
        for i in range(records)
        for state in ("queue", "open", "waiting_customer")
    ]
    await _put(session, models.case_hands, hands)
    members = [
        {"member_id": f"m{m}", "team": TEAMS[m % 3], "last_seen_at": today} for m in range(150)
    ]
    await _put(session, models.members, members)
