"""What routing needs from an intent classifier (a small protocol), and how its verdict is
written into the decision record.

The router depends on this protocol only; ``chorus_router.intent.kit`` adapts the packaged
classifier (``chorus_signals.intent``) to it, and the unit tests use a fake.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol

IntentName = Literal["legal", "pr", "brand", "support", "spam"]
INTENTS: tuple[str, ...] = ("legal", "pr", "brand", "support", "spam")


class EvidenceLike(Protocol):
    @property
    def term(self) -> str: ...

    @property
    def weight(self) -> float: ...


class Verdict(Protocol):
    """The classifier's answer for one post."""

    @property
    def intent(self) -> str: ...

    @property
    def confidence(self) -> float: ...

    @property
    def probabilities(self) -> Mapping[str, float]: ...

    @property
    def evidence(self) -> Sequence[EvidenceLike]: ...

    @property
    def model_version(self) -> str: ...

    @property
    def supported_language(self) -> bool: ...


class Classifier(Protocol):
    """Pure and thread-safe: the same text gives the same verdict."""

    @property
    def version(self) -> str: ...

    def classify(self, text: str, lang: str | None = None) -> Verdict: ...


def verdict_record(v: Verdict, *, decided: bool) -> dict[str, Any]:
    """The ``intent`` section of a decision record; ``decided``: an intent rule owns the case."""
    return {
        "intent": v.intent,
        "confidence": round(v.confidence, 4),
        "model_version": v.model_version,
        "supported_language": v.supported_language,
        "decided": decided,
        "evidence": [{"term": e.term, "weight": round(e.weight, 4)} for e in v.evidence],
        "probabilities": {k: round(p, 4) for k, p in v.probabilities.items()},
    }
