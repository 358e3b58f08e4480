"""Instagram: comments, mentions and DMs; replies to comments."""

from __future__ import annotations

from chorus_platforms.instagram.inbound import InstagramConnector
from chorus_platforms.instagram.sender import InstagramSender
from chorus_platforms.meta import graph
from chorus_platforms.spec import Limit, Platform, routes

_connector = InstagramConnector()

PLATFORM = Platform(
    slug="instagram",
    connector=_connector,
    secrets=("app_secret", "verify_token"),
    sender=InstagramSender(),
    credentials=("access_token",),
    api_base=graph.DEFAULT_BASE,
    # Instagram comments take 2,200 characters.
    limit=Limit(2200, "characters", len),
    replies=routes("instagram", "public", ["comment", "reply", "mention"]),
    sends_per_minute=60,
)
