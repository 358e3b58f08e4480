"""TikTok: comments on the brand's videos (business webhooks and polling) and public replies."""

from __future__ import annotations

from chorus_platforms.spec import Limit, Platform, routes
from chorus_platforms.tiktok.inbound import TikTokConnector
from chorus_platforms.tiktok.sender import REPLY_LIMIT, TIKTOK_BASE, TikTokSender

_connector = TikTokConnector()

PLATFORM = Platform(
    slug="tiktok",
    connector=_connector,
    secrets=("client_secret", "access_token"),
    poll=_connector,
    sender=TikTokSender(),
    credentials=("access_token",),
    api_base=TIKTOK_BASE,
    limit=Limit(REPLY_LIMIT, "characters", len),
    replies=routes("tiktok", "public", ["comment", "reply"]),
    sends_per_minute=20,
)
