"""Messenger: the Page's private conversations."""

from __future__ import annotations

from chorus_platforms.messenger.inbound import MessengerConnector
from chorus_platforms.messenger.sender import MessengerSender
from chorus_platforms.meta import graph
from chorus_platforms.spec import PUBLIC_KINDS, Limit, Platform, routes

_connector = MessengerConnector()

PLATFORM = Platform(
    slug="messenger",
    connector=_connector,
    secrets=("app_secret", "verify_token"),
    sender=MessengerSender(),
    credentials=("access_token",),
    api_base=graph.DEFAULT_BASE,
    # Messenger text takes 2,000 characters.
    limit=Limit(2000, "characters", len),
    replies=routes("messenger", "private", [*PUBLIC_KINDS, "dm"]),
    sends_per_minute=120,
)
