"""Google Business Profile: reviews (Pub/Sub push and polling); one editable owner reply."""

from __future__ import annotations

from chorus_platforms.google_business.inbound import GoogleBusinessConnector
from chorus_platforms.google_business.sender import BUSINESS_BASE, GoogleReviewSender
from chorus_platforms.kit.textlength import utf8_bytes
from chorus_platforms.spec import Limit, Platform, routes

_connector = GoogleBusinessConnector()

PLATFORM = Platform(
    slug="google_business",
    connector=_connector,
    secrets=("token", "access_token"),
    poll=_connector,
    sender=GoogleReviewSender(),
    credentials=("access_token",),
    api_base=BUSINESS_BASE,
    # Google review replies take 4,096 bytes.
    limit=Limit(4096, "bytes", utf8_bytes),
    replies=routes("google_business", "public", ["review"]),
    single_reply=True,
    sends_per_minute=60,
)
