"""What the demo's sandbox platform received: every reply, by platform and parent."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any


class SandboxStore:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.idempotency: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(int(datetime.now(UTC).timestamp()) * 1000)

    def next_id(self) -> str:
        return str(next(self._ids))

    def add(self, platform: str, parent: str, text: str, reply_id: str, **extra: Any) -> None:
        self.items.append(
            {
                "platform": platform,
                "parent": parent,
                "text": text,
                "id": reply_id,
                "at": datetime.now(UTC).isoformat(),
                **extra,
            }
        )

    def of(self, platform: str, parent: str | None = None) -> list[dict[str, Any]]:
        return [
            i
            for i in self.items
            if i["platform"] == platform and (parent is None or i["parent"] == parent)
        ]
