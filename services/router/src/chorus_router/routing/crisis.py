"""Crisis mode: while an `alert.buzz` is raised, matching new posts go to PR with P1."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chorus_router.routing.postview import PostView
from chorus_router.routing.text import phrase_stems


@dataclass(frozen=True, slots=True)
class Crisis:
    """An open buzz alert. No keyword and no channel means every new post matches."""

    subject: str
    alert_id: str
    raised_at: datetime
    keyword: str | None = None
    channel: str | None = None

    def matches(self, view: PostView) -> bool:
        if self.channel and view.post.channel != self.channel:
            return False
        if self.keyword:
            key = phrase_stems(self.keyword)
            if not key:
                return False
            words = view.words
            k = len(key)
            return any(tuple(words[i : i + k]) == key for i in range(len(words) - k + 1))
        return True


def first_match(crises: tuple[Crisis, ...], view: PostView) -> Crisis | None:
    for c in crises:
        if c.matches(view):
            return c
    return None
