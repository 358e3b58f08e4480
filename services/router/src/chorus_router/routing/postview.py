"""What rule conditions look at: a post's view, computed once per post, and its phrases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from chorus_common.contracts.events import Post

from chorus_router.intent.verdict import Classifier, Verdict
from chorus_router.routing.text import phrase_stems


class PhraseIndex:
    """Every rule phrase, indexed by its first stem, matched in one pass over a post's words."""

    def __init__(self, phrases: Sequence[str]) -> None:
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        self.labels: dict[tuple[str, ...], str] = {}
        for p in phrases:
            st = phrase_stems(p)
            if st in self.labels:
                continue
            self.labels[st] = p
            self.by_first.setdefault(st[0], []).append(st)

    def find(self, words: Sequence[str]) -> set[tuple[str, ...]]:
        found: set[tuple[str, ...]] = set()
        n = len(words)
        by_first = self.by_first
        for i, w in enumerate(words):
            cands = by_first.get(w)
            if not cands:
                continue
            for ph in cands:
                k = len(ph)
                if k == 1 or (
                    i + k <= n and all(p == "*" or p == words[i + j] for j, p in enumerate(ph) if j)
                ):
                    found.add(ph)
        return found


@dataclass(slots=True)
class PostView:
    """What conditions look at, computed once per post; the intent only when first asked."""

    post: Post
    words: list[str]
    found: set[tuple[str, ...]]
    at: datetime
    classifier: Classifier | None = None
    verdict: Verdict | None = None
    classified: bool = False
    # The rule set's phrase for each stem sequence, for a match's reasons.
    labels: Mapping[tuple[str, ...], str] = field(default_factory=dict)

    @property
    def engagement(self) -> int:
        m = self.post.metrics
        return m.likes + m.shares + m.replies

    def intent(self) -> Verdict | None:
        """The classifier's verdict (None when classification is off), computed at most once."""
        if not self.classified:
            self.classified = True
            if self.classifier is not None:
                self.verdict = self.classifier.classify(self.post.text, self.post.lang)
        return self.verdict
