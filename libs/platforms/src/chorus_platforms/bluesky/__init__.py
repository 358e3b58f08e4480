"""Bluesky (AT Protocol): mentions, replies and quotes of the brand's account; replies back."""

from __future__ import annotations

from chorus_platforms.bluesky.inbound import BlueskyConnector
from chorus_platforms.bluesky.length import MAX_GRAPHEMES, bluesky_length
from chorus_platforms.bluesky.sender import BlueskySender
from chorus_platforms.bluesky.session import DEFAULT_SERVICE, Sessions
from chorus_platforms.spec import Limit, Platform, routes

_connector = BlueskyConnector(Sessions())

PLATFORM = Platform(
    slug="bluesky",
    connector=_connector,
    secrets=("identifier", "app_password"),
    poll=_connector,
    sender=BlueskySender(Sessions()),
    credentials=("identifier", "app_password"),
    api_base=DEFAULT_SERVICE,
    limit=Limit(MAX_GRAPHEMES, "graphemes", bluesky_length),
    replies=routes("bluesky", "public", ["post", "comment", "reply", "mention"]),
    # A PDS allows 5,000 write points an hour and a post costs 3: about 27 a minute.
    sends_per_minute=25,
)
