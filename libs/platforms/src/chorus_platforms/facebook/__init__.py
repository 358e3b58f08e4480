"""Facebook Pages: posts, comments, replies, mentions and recommendations; a DM is answered
on Messenger."""

from __future__ import annotations

from chorus_platforms.facebook.inbound import FacebookConnector
from chorus_platforms.facebook.sender import FacebookCommentSender
from chorus_platforms.meta.platform import meta_platform
from chorus_platforms.spec import PUBLIC_KINDS, routes

PLATFORM = meta_platform(
    "facebook",
    FacebookConnector(),
    FacebookCommentSender(),
    limit=8000,  # Facebook comments take 8,000 characters
    replies={
        **routes("facebook", "public", [*PUBLIC_KINDS, "review"]),
        **routes("messenger", "private", ["dm"]),
    },
    sends_per_minute=60,
    reads=True,
)
