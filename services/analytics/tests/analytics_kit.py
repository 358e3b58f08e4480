"""Builders for analytics tests: posts, case/reply/alert events, and a known scenario."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from chorus_analytics.app import create_app
from chorus_analytics.settings import AnalyticsSettings
from chorus_common.contracts.events import (
    AlertEvent,
    Author,
    CaseEvent,
    Metrics,
    Post,
    PostReceived,
    ReplyEvent,
    Signals,
)
from chorus_common.messaging.bus.base import OutMessage
from chorus_common.messaging.bus.memory import MemoryBroker
from chorus_common.messaging.envelope import Envelope, event_key, make_event

from tests.support.fixtures import FAST_KAFKA_ENV

T0 = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def handler_app(url: str) -> Any:
    """An analytics app whose batch handler the test drives itself: no consumer, no spike
    check, no metrics refresh (``app.state.batch_handler``)."""
    settings = AnalyticsSettings(
        database_url=url,
        spike_check_seconds=0,
        metrics_refresh_seconds=0,
        consumer_enabled=False,
        **FAST_KAFKA_ENV,
    )
    return create_app(settings, bus=MemoryBroker(partitions=4))


def at(minutes: float = 0, seconds: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, seconds=seconds)


def post_event(
    native: str,
    *,
    platform: str = "x",
    channel: str = "@brand",
    kind: str = "mention",
    lang: str = "en",
    sentiment: str | None = None,
    score: float | None = None,
    author: str = "a1",
    followers: int = 0,
    created: datetime = T0,
    likes: int = 0,
    shares: int = 0,
    replies: int = 0,
    views: int = 0,
    keywords: tuple[str, ...] = (),
    text: str = "hello",
    revision: int = 1,
    is_update: bool = False,
) -> Envelope:
    post = Post(
        id=f"{platform}:{native}",
        platform=platform,
        channel=channel,
        kind=kind,
        native_id=native,
        thread_id=f"th-{native}",
        author=Author(id=author, handle=f"@{author}", followers=followers),
        text=text,
        lang=lang,
        created_at=created,
        received_at=created + timedelta(seconds=1),
        metrics=Metrics(likes=likes, shares=shares, replies=replies, views=views),
        signals=Signals(sentiment_label=sentiment, sentiment_score=score, keywords=keywords),
    )
    payload = PostReceived(post=post, is_update=is_update, revision=revision)
    return _at(make_event("post.received", payload, producer="test"), created)


def _at(env: Envelope, when: datetime) -> Envelope:
    return env.model_copy(update={"occurred_at": when})


def case_event(type_: str, case_id: str, when: datetime, version: int, **kw: Any) -> Envelope:
    fields: dict[str, Any] = {"thread_id": f"th-{case_id}", "status": "assigned", **kw}
    payload = CaseEvent(case_id=case_id, version=version, **fields)
    return _at(make_event(type_, payload, producer="test"), when)


def reply_event(type_: str, reply_id: str, case_id: str, when: datetime, **kw: Any) -> Envelope:
    status = {
        "reply.drafted": "draft",
        "reply.approval_requested": "pending_approval",
        "reply.approved": "approved",
        "reply.rejected": "rejected",
        "reply.sent": "sent",
        "reply.failed": "failed",
    }[type_]
    payload = ReplyEvent(reply_id=reply_id, case_id=case_id, status=status, **kw)
    return _at(make_event(type_, payload, producer="test"), when)


def encode(
    items: Sequence[Envelope | bytes], topic_for_bytes: str = "chorus.posts.v1"
) -> list[OutMessage]:
    out = []
    for it in items:
        if isinstance(it, bytes):
            out.append(OutMessage(topic_for_bytes, b"garbage", it))
        else:
            out.append(OutMessage(it.topic, event_key(it).encode(), it.to_bytes()))
    return out


def scenario() -> tuple[list[Envelope | bytes], int]:
    """The known sequence (duplicates, late and out-of-order events) and how many good
    envelopes analytics will consume (sent records + the dead letter it produces itself)."""
    c1 = {"team": "support", "priority": "P2", "platform": "x", "channel": "@brand"}
    c1_times = {"opened_at": at(5, 10), "post_received_at": at(5, 2), "sla_due_at": at(35, 10)}
    p1 = post_event(
        "p1",
        sentiment="negative",
        score=-0.6,
        author="a1",
        followers=1000,
        created=at(5),
        likes=10,
        shares=2,
        replies=1,
        views=100,
        keywords=("refund",),
        text="where is my #Refund",
    )
    p2 = post_event(
        "p2", sentiment="positive", score=0.5, author="a2", followers=50, created=at(6), likes=1
    )
    p3 = post_event(
        "p3",
        platform="facebook",
        channel="brandpage",
        kind="comment",
        lang="fr",
        sentiment="neutral",
        score=0.0,
        author="a1",
        followers=1200,
        created=at(65),
        keywords=("livraison",),
    )
    p4 = post_event(
        "p4",
        platform="instagram",
        channel="brand_ig",
        kind="post",
        sentiment="positive",
        score=0.8,
        author="brand",
        followers=10000,
        created=at(7),
        likes=100,
        views=5000,
    )
    p5_late = post_event(
        "p5", kind="review", sentiment="negative", score=-0.9, author="a3", created=at(-180)
    )
    p1_edit = post_event(
        "p1",
        sentiment="negative",
        score=-0.6,
        author="a1",
        followers=1000,
        created=at(5),
        likes=20,
        shares=2,
        replies=1,
        views=100,
        keywords=("refund",),
        text="where is my #Refund",
        revision=2,
        is_update=True,
    )
    p3_replayed = post_event(
        "p3",
        platform="facebook",
        channel="brandpage",
        kind="comment",
        lang="fr",
        sentiment="neutral",
        score=0.0,
        author="a1",
        followers=1200,
        created=at(65),
    )
    c1_assigned = case_event(
        "case.assigned", "c1", at(5, 12), 2, assignee="m1", post_ids=("x:p1",), **c1, **c1_times
    )
    c1_opened = case_event(
        "case.opened", "c1", at(5, 10), 1, status="new", post_ids=("x:p1",), **c1, **c1_times
    )
    c2 = {"platform": "x", "channel": "@brand", "post_ids": ("x:p2",)}
    c2_times = {"opened_at": at(6, 5), "post_received_at": at(6, 1), "sla_due_at": at(7)}
    c3 = {
        "team": "support",
        "platform": "facebook",
        "channel": "brandpage",
        "post_ids": ("facebook:p3",),
    }
    c3_times = {"opened_at": at(65, 5), "post_received_at": at(65, 1)}
    items: list[Envelope | bytes] = [
        c1_assigned,
        c1_assigned,  # redelivery
        c1_opened,  # arrives after the assignment
        p1,
        p2,
        p2,  # redelivery
        p4,
        case_event("case.opened", "c2", at(6, 5), 1, team="pr", status="new", **c2, **c2_times),
        case_event("case.assigned", "c2", at(6, 6), 2, team="pr", assignee="m3", **c2, **c2_times),
        case_event(
            "case.reassigned",
            "c2",
            at(7),
            3,
            team="legal",
            assignee="m4",
            previous_assignee="m3",
            **c2,
            **c2_times,
        ),
        case_event(
            "case.escalated",
            "c2",
            at(8),
            4,
            team="legal",
            assignee="m4",
            priority="P1",
            **c2,
            **c2_times,
        ),
        case_event(
            "case.sla_breached",
            "c2",
            at(40),
            5,
            team="legal",
            assignee="m4",
            priority="P1",
            **c2,
            **c2_times,
        ),
        reply_event("reply.drafted", "r1", "c1", at(6), team="support", author_member_id="m1"),
        reply_event("reply.approval_requested", "r1", "c1", at(6, 30), team="support"),
        reply_event("reply.approved", "r1", "c1", at(8, 30), team="support"),
        reply_event(
            "reply.sent", "r1", "c1", at(9), team="support", author_member_id="m1", platform="x"
        ),
        case_event(
            "case.resolved", "c1", at(20), 3, status="resolved", assignee="m1", **c1, **c1_times
        ),
        reply_event(
            "reply.failed",
            "r2",
            "c2",
            at(10),
            team="legal",
            author_member_id="m4",
            error_code="rate_limited",
        ),
        reply_event("reply.sent", "r3", "c2", at(45), team="legal", author_member_id="m4"),
        case_event("case.opened", "c3", at(65, 5), 1, status="new", **c3, **c3_times),
        case_event("case.assigned", "c3", at(65, 6), 2, assignee="m2", **c3, **c3_times),
        case_event(
            "case.reassigned",
            "c3",
            at(66),
            3,
            assignee="m1",
            previous_assignee="m2",
            **c3,
            **c3_times,
        ),
        p3,
        p3_replayed,  # same post, new event id, same revision: counted once
        p1_edit,
        p5_late,  # three hours late
        _at(
            make_event(
                "alert.sla",
                AlertEvent(alert_id="al1", subject="sla:c2", case_id="c2", team="legal"),
                producer="test",
            ),
            at(40),
        ),
        b"{not json",
    ]
    good = sum(1 for i in items if not isinstance(i, bytes)) + 1
    return items, good
