"""Internal systems: the generic JSON shape, by token or signed webhook (inbound only)."""

from __future__ import annotations

from chorus_platforms.generic.inbound import GenericConnector
from chorus_platforms.spec import Platform

_connector = GenericConnector()

PLATFORM = Platform(
    slug="generic",
    connector=_connector,
    secrets=("signing_secret",),
)
