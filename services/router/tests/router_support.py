"""Builders shared by the router tests (imported as services.router.tests.router_support)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from chorus_common.contracts.events import Author, Metrics, Post, Signals

_seq = itertools.count(1)


def make_post(
    text: str = "hello",
    *,
    lang: str | None = "en",
    platform: str = "x",
    kind: str = "post",
    channel: str = "@brand",
    thread_id: str | None = None,
    followers: int | None = 120,
    verified: bool = False,
    rating: int | None = None,
    sentiment: str | None = "neutral",
    score: float | None = None,
    likes: int = 0,
    shares: int = 0,
    views: int = 0,
    received_at: datetime | None = None,
    author_id: str | None = None,
    native_id: str | None = None,
) -> Post:
    n = next(_seq)
    native = native_id or f"n{n}"
    pid = Post.make_id(platform, native)
    at = received_at or datetime.now(UTC)
    scores = {"negative": -0.6, "neutral": 0.0, "positive": 0.6}
    return Post(
        id=pid,
        platform=platform,
        channel=channel,
        kind=kind,
        native_id=native,
        thread_id=thread_id or pid,
        author=Author(
            id=author_id or f"a{n}", handle=f"user{n}", followers=followers, verified=verified
        ),
        text=text,
        lang=lang,
        created_at=at,
        received_at=at,
        rating=rating,
        metrics=Metrics(likes=likes, shares=shares, views=views),
        signals=Signals(
            sentiment_label=sentiment,
            sentiment_score=score if score is not None else scores.get(sentiment or ""),
        ),
    )


def member_row(
    id_: str,
    team: str = "support",
    *,
    capacity: int = 10,
    langs: tuple[str, ...] = ("en", "fr"),
    skills: tuple[str, ...] = (),
    hours: list[dict[str, Any]] | None = None,
    tz: str = "UTC",
    availability: str = "on_shift",
    until: datetime | None = None,
) -> dict[str, Any]:
    return {
        "id": id_,
        "name": id_.title(),
        "teams": [team],
        "capacity": capacity,
        "languages": list(langs),
        "skills": list(skills),
        "platforms": [],
        "timezone": tz,
        "working_hours": hours or [],
        "availability": availability,
        "availability_until": until,
    }


def post_event(post: Post, *, is_update: bool = False, revision: int = 1) -> Any:
    from chorus_common.contracts.events import PostReceived
    from chorus_common.messaging.envelope import make_event

    return make_event(
        "post.received",
        PostReceived(post=post, is_update=is_update, revision=revision),
        producer="test",
    )


def encode(events: list[Any]) -> list[Any]:
    from chorus_common.messaging.bus.base import OutMessage
    from chorus_common.messaging.envelope import event_key

    return [OutMessage(e.topic, event_key(e).encode(), e.to_bytes()) for e in events]


def case_events(broker: Any, case_id: str | None = None) -> list[Any]:
    """Decoded case events on the memory broker (optionally for one case), in order."""
    from chorus_common.messaging.envelope import Envelope

    out = []
    for rec in broker.records("chorus.cases.v1"):
        env = Envelope.from_bytes(rec.value)
        if case_id is None or env.payload["case_id"] == case_id:
            out.append(env)
    return out


async def relayed(broker: Any, case_id: str, type_: str) -> list[Any]:
    """The case's events of ``type_``, waited for: the outbox relays them after the commit
    that an API read or the test can already see."""
    from tests.support.wait import wait_for

    async def found() -> list[Any]:
        return [e for e in case_events(broker, case_id) if e.type == type_]

    return await wait_for(found, what=f"{type_} of {case_id} on the topic")


def reply_event(case_id: str, type_: str, reply_id: str = "r1") -> Any:
    from chorus_common.contracts.events import ReplyEvent
    from chorus_common.messaging.envelope import make_event

    status = {
        "reply.approval_requested": "pending_approval",
        "reply.approved": "approved",
        "reply.rejected": "rejected",
        "reply.sent": "sent",
    }[type_]
    return make_event(
        type_, ReplyEvent(reply_id=reply_id, case_id=case_id, status=status), producer="test"
    )


def buzz_event(subject: str, state: str = "raised", keyword: str | None = None) -> Any:
    from chorus_common.contracts.events import AlertEvent
    from chorus_common.messaging.envelope import make_event

    return make_event(
        "alert.buzz",
        AlertEvent(alert_id=f"al-{subject}-{state}", subject=subject, state=state, keyword=keyword),
        producer="test",
    )


async def always_working(client: Any, members: tuple[str, ...], headers: dict[str, str]) -> None:
    """Clear these members' working hours so a test does not depend on the hour it runs at."""
    for m in members:
        r = await client.patch(f"/v1/members/{m}", json={"working_hours": []}, headers=headers)
        assert r.status_code == 200, r.text


async def trained(client: Any, location: str) -> dict[str, Any]:
    """The intent model at ``location`` once its training is over (ready or failed)."""
    from tests.support.fixtures import auth
    from tests.support.wait import wait_for

    async def done() -> Any:
        r = await client.get(location, headers=auth("admin"))
        assert r.status_code == 200, r.text
        return r.json() if r.json()["status"] != "training" else None

    return dict(await wait_for(done, what=f"{location} trained"))


async def untrained(app: Any) -> None:
    """Until the app's training thread is over."""
    from tests.support.wait import wait_for

    async def idle() -> bool:
        return not app.state.core.training.locked()

    await wait_for(idle, what="the training thread done")
