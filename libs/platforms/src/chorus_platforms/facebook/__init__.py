"""Facebook Pages: posts, comments and replies; a DM is answered on Messenger."""

from __future__ import annotations

from chorus_platforms.facebook.inbound import FacebookConnector
from chorus_platforms.facebook.sender import FacebookCommentSender
from chorus_platforms.meta import graph
from chorus_platforms.spec import PUBLIC_KINDS, Limit, Platform, routes

_connector = FacebookConnector()

PLATFORM = Platform(
    slug="facebook",
    connector=_connector,
    secrets=("app_secret", "verify_token"),
    sender=FacebookCommentSender(),
    credentials=("access_token",),
    api_base=graph.DEFAULT_BASE,
    # Facebook comments take 8,000 characters.
    limit=Limit(8000, "characters", len),
    replies={
        **routes("facebook", "public", PUBLIC_KINDS),
        **routes("messenger", "private", ["dm"]),
    },
    sends_per_minute=60,
)
