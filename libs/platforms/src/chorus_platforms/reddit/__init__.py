"""Reddit: submissions and comment trees (polling); replies and private messages."""

from __future__ import annotations

from chorus_platforms.reddit.inbound import RedditConnector
from chorus_platforms.reddit.sender import DEFAULT_BASE, RedditSender
from chorus_platforms.spec import PUBLIC_KINDS, Limit, Platform, routes

_connector = RedditConnector()

PLATFORM = Platform(
    slug="reddit",
    connector=_connector,
    secrets=("access_token",),
    poll=_connector,
    sender=RedditSender(),
    credentials=("access_token",),
    api_base=DEFAULT_BASE,
    # Reddit comments take 10,000 characters.
    limit=Limit(10_000, "characters", len),
    replies={**routes("reddit", "public", PUBLIC_KINDS), **routes("reddit", "private", ["dm"])},
    sends_per_minute=60,
)
