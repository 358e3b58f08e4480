"""RSS and Atom feeds (polling or WebSub push; inbound only)."""

from __future__ import annotations

from chorus_platforms.rss.inbound import RssConnector
from chorus_platforms.spec import Platform

_connector = RssConnector()

PLATFORM = Platform(
    slug="rss",
    connector=_connector,
    secrets=("hub_secret", "topic"),
    poll=_connector,
)
