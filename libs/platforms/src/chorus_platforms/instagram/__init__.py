"""Instagram: comments, mentions and DMs; replies to comments."""

from __future__ import annotations

from chorus_platforms.instagram.inbound import InstagramConnector
from chorus_platforms.instagram.sender import InstagramSender
from chorus_platforms.meta.platform import meta_platform
from chorus_platforms.spec import routes

PLATFORM = meta_platform(
    "instagram",
    InstagramConnector(),
    InstagramSender(),
    limit=2200,  # Instagram comments take 2,200 characters
    replies=routes("instagram", "public", ["comment", "reply", "mention"]),
    sends_per_minute=60,
    reads=True,
)
