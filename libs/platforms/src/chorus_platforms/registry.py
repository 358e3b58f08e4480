"""The platform registry: one folder per platform, one line per platform here.

Ingest reads its connectors and poll sources from here, the responder its senders, reply
routes and limits; nothing else in Chorus names a platform's adapters.
"""

from __future__ import annotations

from chorus_platforms import (
    app_store,
    bluesky,
    email,
    facebook,
    generic,
    google_business,
    google_play,
    instagram,
    linkedin,
    mastodon,
    messenger,
    reddit,
    rss,
    threads,
    tiktok,
    trustpilot,
    whatsapp,
    x,
    youtube,
)
from chorus_platforms.kit.inbound import Connector, PollSource
from chorus_platforms.kit.outbound import Sender
from chorus_platforms.spec import Platform

PLATFORMS: dict[str, Platform] = {
    p.slug: p
    for p in (
        x.PLATFORM,
        facebook.PLATFORM,
        messenger.PLATFORM,
        instagram.PLATFORM,
        whatsapp.PLATFORM,
        linkedin.PLATFORM,
        google_business.PLATFORM,
        youtube.PLATFORM,
        reddit.PLATFORM,
        mastodon.PLATFORM,
        threads.PLATFORM,
        bluesky.PLATFORM,
        rss.PLATFORM,
        trustpilot.PLATFORM,
        email.PLATFORM,
        generic.PLATFORM,
        google_play.PLATFORM,
        app_store.PLATFORM,
        tiktok.PLATFORM,
    )
}

# The views each service reads, keyed by slug.
CONNECTORS: dict[str, Connector] = {slug: p.connector for slug, p in PLATFORMS.items()}
POLL_SOURCES: dict[str, PollSource] = {
    slug: p.poll for slug, p in PLATFORMS.items() if p.poll is not None
}
SENDERS: dict[str, Sender] = {
    slug: p.sender for slug, p in PLATFORMS.items() if p.sender is not None
}
