"""The platform registry: one folder per platform, named by its slug in the post schema
(``chorus_common.contracts.platforms``, one line per platform).

Ingest reads its connectors and poll sources from here, the responder its senders, reply
routes and limits; nothing else in Chorus names a platform's adapters.
"""

from __future__ import annotations

from importlib import import_module

from chorus_common.contracts.platforms import PLATFORMS as SLUGS

from chorus_platforms.kit.inbound import Connector, PollSource
from chorus_platforms.kit.outbound import Sender
from chorus_platforms.spec import Platform

# Each slug of the post schema is the folder ``chorus_platforms/<slug>/`` defining ``PLATFORM``.
PLATFORMS: dict[str, Platform] = {
    slug: import_module(f"chorus_platforms.{slug}").PLATFORM for slug in SLUGS
}

# The views each service reads, keyed by slug.
CONNECTORS: dict[str, Connector] = {slug: p.connector for slug, p in PLATFORMS.items()}
POLL_SOURCES: dict[str, PollSource] = {
    slug: p.poll for slug, p in PLATFORMS.items() if p.poll is not None
}
SENDERS: dict[str, Sender] = {
    slug: p.sender for slug, p in PLATFORMS.items() if p.sender is not None
}
