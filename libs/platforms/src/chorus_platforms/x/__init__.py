"""X (Twitter): tweets, mentions, replies and DMs; replies through API v2."""

from __future__ import annotations

from chorus_platforms.spec import PUBLIC_KINDS, Limit, Platform, routes
from chorus_platforms.x.inbound import XConnector
from chorus_platforms.x.length import x_weighted_length
from chorus_platforms.x.sender import DEFAULT_BASE, XSender

_connector = XConnector()

PLATFORM = Platform(
    slug="x",
    connector=_connector,
    secrets=("consumer_secret",),
    sender=XSender(),
    credentials=("access_token",),
    api_base=DEFAULT_BASE,
    # X counts 280 weighted characters (twitter-text v3).
    limit=Limit(280, "weighted characters", x_weighted_length),
    replies=routes("x", "public", PUBLIC_KINDS),
    sends_per_minute=50,
)
