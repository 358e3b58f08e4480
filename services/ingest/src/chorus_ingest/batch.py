"""What one request or poll page hands to the intake, and the per-item answer it gets back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from chorus_common.contracts.events import Post
from chorus_platforms.kit.inbound import Marker

Status = Literal["accepted", "duplicate", "updated", "stale", "rejected"]


@dataclass(frozen=True)
class Rejected:
    """An item that could not be normalized; ``original`` goes to the dead-letter topic."""

    code: str
    message: str
    original: bytes
    field: str | None = None
    index: int | None = None
    native_id: str | None = None


@dataclass(frozen=True)
class ItemResult:
    index: int | None
    status: Status
    post_id: str | None = None
    revision: int | None = None
    code: str | None = None
    message: str | None = None
    field: str | None = None

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"index": self.index, "status": self.status}
        if self.post_id is not None:
            doc["post_id"] = self.post_id
            doc["revision"] = self.revision
        if self.status == "rejected":
            doc["error"] = {"code": self.code, "message": self.message, "field": self.field}
        return doc


@dataclass
class Batch:
    """What one request or poll page brought in."""

    source: str  # platform slug
    posts: list[tuple[int | None, Post]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    raw_body: bytes | None = None
    content_type: str | None = None
    trace_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # The edit marker of ``posts[i]`` (shorter than ``posts``: the rest have none).
    markers: list[Marker | None] = field(default_factory=list)

    def marker_at(self, position: int) -> Marker | None:
        return self.markers[position] if position < len(self.markers) else None
