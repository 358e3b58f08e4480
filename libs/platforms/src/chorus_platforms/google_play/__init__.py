"""Google Play: app reviews (polling) and the developer's one editable reply."""

from __future__ import annotations

from chorus_platforms.google_play.inbound import GooglePlayConnector
from chorus_platforms.google_play.sender import PLAY_BASE, REPLY_LIMIT, GooglePlaySender
from chorus_platforms.spec import Limit, Platform, routes

_connector = GooglePlayConnector()

PLATFORM = Platform(
    slug="google_play",
    connector=_connector,
    secrets=("service_account_json", "access_token", "signing_secret"),
    poll=_connector,
    sender=GooglePlaySender(),
    credentials=("service_account_json", "access_token"),
    api_base=PLAY_BASE,
    # replyText takes 350 characters.
    limit=Limit(REPLY_LIMIT, "characters", len),
    replies=routes("google_play", "public", ["review"]),
    single_reply=True,
    # reviews.reply allows 2,000 calls a day per app.
    sends_per_minute=1,
)
