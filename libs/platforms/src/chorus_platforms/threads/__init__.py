"""Threads (Meta): replies to the brand's posts and mentions of the brand; replies back."""

from __future__ import annotations

from chorus_platforms.spec import Limit, Platform, routes
from chorus_platforms.threads.inbound import ThreadsConnector
from chorus_platforms.threads.length import threads_length
from chorus_platforms.threads.sender import DEFAULT_BASE, ThreadsSender

_connector = ThreadsConnector()

PLATFORM = Platform(
    slug="threads",
    connector=_connector,
    secrets=("app_secret", "verify_token", "access_token"),
    poll=_connector,
    sender=ThreadsSender(),
    credentials=("access_token",),
    api_base=DEFAULT_BASE,
    # Threads posts take 500 characters, an emoji counting its UTF-8 bytes.
    limit=Limit(500, "characters (emoji: UTF-8 bytes)", threads_length),
    replies=routes("threads", "public", ["post", "comment", "reply", "mention"]),
    # 1,000 replies per profile in a moving 24 hours, at most about 0.7 a minute on average.
    sends_per_minute=10,
)
