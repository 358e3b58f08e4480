"""YouTube: comment threads and replies (polling)."""

from __future__ import annotations

from chorus_platforms.spec import Limit, Platform, routes
from chorus_platforms.youtube.inbound import YouTubeConnector
from chorus_platforms.youtube.sender import DEFAULT_BASE, YouTubeSender

_connector = YouTubeConnector()

PLATFORM = Platform(
    slug="youtube",
    connector=_connector,
    secrets=("api_key",),
    poll=_connector,
    sender=YouTubeSender(),
    credentials=("access_token",),
    api_base=DEFAULT_BASE,
    # YouTube comments take 10,000 characters.
    limit=Limit(10_000, "characters", len),
    replies=routes("youtube", "public", ["comment", "reply"]),
    sends_per_minute=30,
)
