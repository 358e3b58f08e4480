"""Messenger: the Page's private conversations."""

from __future__ import annotations

from chorus_platforms.messenger.inbound import MessengerConnector
from chorus_platforms.messenger.sender import MessengerSender
from chorus_platforms.meta.platform import meta_platform
from chorus_platforms.spec import PUBLIC_KINDS, routes

PLATFORM = meta_platform(
    "messenger",
    MessengerConnector(),
    MessengerSender(),
    limit=2000,  # Messenger text takes 2,000 characters
    replies=routes("messenger", "private", [*PUBLIC_KINDS, "dm"]),
    sends_per_minute=120,
)
