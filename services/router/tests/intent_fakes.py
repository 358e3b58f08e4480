"""A fake intent classifier for the router's unit tests: words vote for intents.

It follows the protocol of ``chorus_router.intent.verdict`` (and the model kit's), so the
unit tests do not depend on the packaged model's figures; integration tests use the real one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chorus_router.intent.verdict import INTENTS
from chorus_router.routing.text import tokens

LEXICON: dict[str, str] = {
    "counterfeit": "legal",
    "contrefacon": "legal",
    "burn": "legal",
    "brulure": "legal",
    "outlet": "pr",
    "desk": "pr",
    "redaction": "pr",
    "shared": "pr",
    "packaging": "brand",
    "emballage": "brand",
    "colour": "brand",
    "couleur": "brand",
    "forex": "spam",
    "gratuit": "spam",
    "parcel": "support",
    "colis": "support",
}


@dataclass(frozen=True, slots=True)
class FakeEvidence:
    term: str
    weight: float


@dataclass(frozen=True, slots=True)
class FakeVerdict:
    intent: str
    confidence: float
    probabilities: Mapping[str, float]
    evidence: tuple[FakeEvidence, ...]
    model_version: str
    supported_language: bool


@dataclass
class FakeClassifier:
    """Each lexicon word in the text is a vote; confidence 0.45 + 0.2 per vote (≤ 0.95)."""

    lexicon: dict[str, str] = field(default_factory=lambda: dict(LEXICON))
    version: str = "fake-1"
    languages: tuple[str, ...] = ("en", "fr")
    calls: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)

    def classify(self, text: str, lang: str | None = None) -> FakeVerdict:
        self.calls += 1
        words = tokens(text)
        votes = Counter(self.lexicon[w] for w in words if w in self.lexicon)
        intent, n = votes.most_common(1)[0] if votes else ("support", 0)
        confidence = min(0.95, 0.45 + 0.2 * n) if n else 0.3
        rest = (1.0 - confidence) / (len(INTENTS) - 1)
        probs = {i: confidence if i == intent else rest for i in INTENTS}
        evidence = tuple(
            FakeEvidence(w, 1.0) for w in dict.fromkeys(words) if self.lexicon.get(w) == intent
        )[:5]
        supported = (lang or "en")[:2] in self.languages
        return FakeVerdict(intent, confidence, probs, evidence, self.version, supported)

    def to_bytes(self) -> bytes:
        return json.dumps({"lexicon": self.lexicon, "version": self.version}).encode()


@dataclass
class FakeKit:
    """The model kit: the shipped model, stored models, training on corrections."""

    base: FakeClassifier = field(default_factory=FakeClassifier)
    trained: int = 0

    def shipped(self) -> FakeClassifier:
        return self.base

    def load(self, data: bytes) -> FakeClassifier:
        try:
            raw = json.loads(data)
            return FakeClassifier(lexicon=dict(raw["lexicon"]), version=str(raw["version"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError("not a fake model") from exc

    def train(self, corrections: Sequence[Any], *, version: str) -> FakeClassifier:
        """The shipped lexicon plus every word of each correction, voting for its label."""
        self.trained += 1
        lexicon = dict(self.base.lexicon)
        for c in corrections:
            for w in tokens(c.text):
                if len(w) > 3:
                    lexicon[w] = c.intent
        meta = {"examples": {"corpus": len(self.base.lexicon), "correction": len(corrections)}}
        return FakeClassifier(lexicon=lexicon, version=version, metadata=meta)
