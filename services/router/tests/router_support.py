"""Builders shared by the router tests (imported as services.router.tests.router_support)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from chorus_common.events import Author, Metrics, Post, Signals

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
