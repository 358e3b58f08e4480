"""What Chorus knows of one platform, in one place: how posts arrive (webhook, polling), how
replies leave, the limits a reply must keep and the names of a channel's secrets."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from chorus_platforms.kit.inbound import Connector, PollSource
from chorus_platforms.kit.outbound import Sender

Visibility = Literal["public", "private"]

# Kinds of post that are answered in public where a platform allows it.
PUBLIC_KINDS = ("post", "comment", "reply", "mention")


@dataclass(frozen=True, slots=True)
class Limit:
    """The longest reply a platform takes, as it measures it."""

    maximum: int
    unit: str
    measure: Callable[[str], int]


@dataclass(frozen=True, slots=True)
class Route:
    """How a reply to one kind of post goes out: which sender and in public or in private."""

    adapter: str
    visibility: Visibility


def routes(adapter: str, visibility: Visibility, kinds: Iterable[str]) -> dict[str, Route]:
    """The same route for each of ``kinds``."""
    return {kind: Route(adapter, visibility) for kind in kinds}


@dataclass(frozen=True)
class Platform:
    """One platform slug. ``secrets`` are the ingest channel's secret names (signatures, poll
    keys); ``credentials`` the responder channel's. A platform without ``sender`` or
    ``replies`` takes no replies; without ``poll`` it only pushes."""

    slug: str
    connector: Connector
    secrets: tuple[str, ...]
    poll: PollSource | None = None
    sender: Sender | None = None
    credentials: tuple[str, ...] = ()
    api_base: str = ""
    # A federated platform's API lives on the channel's own server (``@brand@host``).
    instance_base: Callable[[str], str | None] | None = None
    limit: Limit | None = None
    replies: Mapping[str, Route] = field(default_factory=dict)
    # The brand holds a single, editable answer per post (a second reply replaces it).
    single_reply: bool = False
    sends_per_minute: int | None = None

    def base_url(self, channel: str) -> str:
        """Where the sender's API lives by default for ``channel`` ("" when nowhere)."""
        if self.api_base:
            return self.api_base
        if self.instance_base is not None:
            return self.instance_base(channel) or ""
        return ""
