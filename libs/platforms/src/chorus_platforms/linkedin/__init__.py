"""LinkedIn: comments on the organization's posts (inbound only)."""

from __future__ import annotations

from chorus_platforms.linkedin.inbound import LinkedInConnector
from chorus_platforms.spec import Platform

_connector = LinkedInConnector()

PLATFORM = Platform(
    slug="linkedin",
    connector=_connector,
    secrets=("client_secret",),
)
