"""Shared helpers for the responder's tests: seeding posts and cases, tokens, waiting."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from chorus_common import topics
from chorus_common.bus.base import OutMessage
from chorus_common.events import (
    Author,
    CaseEvent,
    Envelope,
    Post,
    PostReceived,
    event_key,
    make_event,
)
from chorus_responder import store
from chorus_responder.settings import ResponderSettings

from tests.support.fixtures import FAST_KAFKA_ENV, auth
from tests.support.wait import wait_for


def settings(db_url: str, **kw: Any) -> ResponderSettings:
    base: dict[str, Any] = {
        "database_url": db_url,
        "send_poll_seconds": 0.05,
        "send_backoff_base_seconds": 0.05,
        "send_backoff_max_seconds": 0.5,
        "send_timeout_seconds": 2.0,
        "collision_window_minutes": 10.0,
        # No router: the members tokens name are not looked up (tests that need the
        # directory give its URL).
        "router_url": "",
        **FAST_KAFKA_ENV,
    }
    base.update(kw)
    return ResponderSettings(**base)


def agent(member: str, *teams: str) -> dict[str, str]:
    return auth("agent", member_id=member, teams=teams)


def lead(member: str, *teams: str) -> dict[str, str]:
    return auth("lead", member_id=member, teams=teams)


def make_post(
    *,
    platform: str = "x",
    kind: str = "comment",
    native_id: str | None = None,
    thread_id: str | None = None,
    rating: int | None = None,
    channel: str = "brand",
    author_id: str = "cust-1",
    handle: str = "ann",
    display_name: str | None = "Ann",
    lang: str = "en",
    text: str = "Where is my order?",
    url: str | None = None,
) -> Post:
    native = native_id or uuid.uuid4().hex[:12]
    return Post(
        id=Post.make_id(platform, native),
        platform=platform,
        channel=channel,
        kind=kind,
        native_id=native,
        url=url,
        thread_id=thread_id or f"{platform}:{native}",
        author=Author(id=author_id, handle=handle, display_name=display_name),
        text=text,
        lang=lang,
        created_at=datetime.now(UTC),
        rating=rating,
    )


def make_case(post: Post, **kw: Any) -> CaseEvent:
    base: dict[str, Any] = {
        "case_id": uuid.uuid4().hex,
        "thread_id": post.thread_id,
        "status": "assigned",
        "team": "support",
        "assignee": "ann-agent",
        "priority": "P3",
        "platform": post.platform,
        "channel": post.channel,
        "latest_post_id": post.id,
        "post_ids": (post.id,),
        "version": 1,
    }
    base.update(kw)
    return CaseEvent(**base)


def envelopes(post: Post, case: CaseEvent) -> list[Envelope]:
    return [
        make_event("post.received", PostReceived(post=post), producer="test"),
        make_event("case.assigned", case, producer="test"),
    ]


def out_messages(events: list[Envelope]) -> list[OutMessage]:
    return [OutMessage(e.topic, event_key(e).encode(), e.to_bytes()) for e in events]


async def wait_seeded(app, post: Post, case: CaseEvent) -> None:
    """Wait until the responder's views hold the post and the case."""
    runtime = app.state.runtime

    async def ready() -> bool:
        async with runtime.sessionmaker() as s:
            c = await store.get_case(s, case.case_id)
            p = await store.get_post(s, post.id)
            return c is not None and p is not None and c["version"] >= case.version

    await wait_for(ready, timeout=30, what=f"case {case.case_id} and post in the responder views")


async def seed(memory_broker, app, post: Post, case: CaseEvent) -> CaseEvent:
    await memory_broker.append(out_messages(envelopes(post, case)))
    await wait_seeded(app, post, case)
    return case


def reply_events(memory_broker, reply_id: str) -> list[str]:
    out = []
    for rec in memory_broker.records(topics.REPLIES):
        env = Envelope.from_bytes(rec.value)
        if env.payload["reply_id"] == reply_id:
            out.append(env.type)
    return out


class StaticDirectory:
    """An in-memory directory of teams (unit tests; the real one asks the router)."""

    def __init__(self, *teams: str) -> None:
        self.teams = set(teams or ("support", "legal", "pr", "brand"))

    async def team_exists(self, team: str) -> bool:
        return team in self.teams
