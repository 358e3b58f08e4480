"""Mastodon: statuses and mentions (polling or webhook); the API is the channel's instance."""

from __future__ import annotations

from chorus_platforms.mastodon.inbound import MastodonConnector
from chorus_platforms.mastodon.length import mastodon_length
from chorus_platforms.mastodon.sender import MastodonSender, instance_base
from chorus_platforms.spec import PUBLIC_KINDS, Limit, Platform, routes

_connector = MastodonConnector()

PLATFORM = Platform(
    slug="mastodon",
    connector=_connector,
    secrets=("webhook_secret", "access_token"),
    poll=_connector,
    sender=MastodonSender(),
    credentials=("access_token",),
    instance_base=instance_base,
    # Mastodon's default instance limit: 500 characters, every URL counted as 23.
    limit=Limit(500, "characters", mastodon_length),
    replies={**routes("mastodon", "public", PUBLIC_KINDS), **routes("mastodon", "private", ["dm"])},
    sends_per_minute=60,
)
