"""The platforms Chorus reads and the kinds of post they carry (one slug per platform folder)."""

from __future__ import annotations

from typing import Literal

PostKind = Literal["post", "comment", "reply", "mention", "review", "dm", "email"]
Platform = Literal[
    "x",
    "facebook",
    "messenger",
    "instagram",
    "whatsapp",
    "google_business",
    "youtube",
    "reddit",
    "mastodon",
    "threads",
    "bluesky",
    "rss",
    "linkedin",
    "trustpilot",
    "email",
    "generic",
    "google_play",
    "app_store",
    "tiktok",
]
PLATFORMS: tuple[str, ...] = Platform.__args__  # type: ignore[attr-defined]
