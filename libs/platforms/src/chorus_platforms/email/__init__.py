"""E-mail: RFC 5322 messages from a signed relay; replies over SMTP."""

from __future__ import annotations

from chorus_platforms.email.inbound import EmailConnector
from chorus_platforms.email.sender import EmailSender
from chorus_platforms.spec import Limit, Platform, routes

_connector = EmailConnector()

PLATFORM = Platform(
    slug="email",
    connector=_connector,
    secrets=("signing_secret",),
    sender=EmailSender(),
    credentials=("username", "password"),
    # E-mail has no platform limit: this one is ours.
    limit=Limit(100_000, "characters", len),
    replies=routes("email", "private", ["email", "dm"]),
    sends_per_minute=120,
)
