"""The classifier's vocabulary: the intents, a labelled example and a classification."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

INTENTS: tuple[str, ...] = ("legal", "pr", "brand", "support", "spam")
SUPPORTED_LANGUAGES: frozenset[str] = frozenset({"en", "fr"})
SOURCES: frozenset[str] = frozenset({"corpus", "correction"})


@dataclass(frozen=True, slots=True)
class Evidence:
    """A word or phrase of the post and its pull toward the chosen intent (log-odds)."""

    term: str
    weight: float


@dataclass(frozen=True, slots=True)
class IntentResult:
    """One post's intent with its calibrated probability and the terms that weighed most."""

    intent: str
    confidence: float
    probabilities: Mapping[str, float]
    evidence: tuple[Evidence, ...]
    model_version: str
    supported_language: bool


@dataclass(frozen=True, slots=True)
class Example:
    """A labelled post: from the shipped corpus or from a team's correction."""

    text: str
    intent: str
    lang: str | None = None
    source: str = "corpus"

    def __post_init__(self) -> None:
        if self.intent not in INTENTS:
            raise ValueError(f"unknown intent {self.intent!r}; expected one of {INTENTS}")
        if self.source not in SOURCES:
            raise ValueError(f"unknown source {self.source!r}; expected one of {sorted(SOURCES)}")
