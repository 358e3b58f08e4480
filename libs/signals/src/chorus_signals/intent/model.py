"""A trained intent model: per-term weights read with dict lookups, no NumPy per post."""

from __future__ import annotations

import gzip
import json
import math
import zlib
from collections.abc import Mapping
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from chorus_signals.intent.features import FEATURES, folded, word_features, words
from chorus_signals.intent.types import INTENTS, SUPPORTED_LANGUAGES, Evidence, IntentResult

FORMAT = "chorus-intent-linear/1"
MAX_EVIDENCE = 5
WORDS_KEPT = 50_000  # distinct words whose summed vector is remembered; all forgotten when full
Vector = tuple[float, ...]
Term = str | tuple[str, str]
_NONE: Vector = ()


class IntentModel:
    """A linear model over folded words, word pairs and affixes, calibrated by temperature.

    The stored weights are already divided by the temperature and centred per term (softmax
    ignores a shift common to every intent), so a term's weight for an intent is its pull in
    calibrated log-odds and doubles as the evidence figure."""

    def __init__(
        self,
        *,
        version: str,
        bias: Vector,
        weights: Mapping[str, Vector],
        other_language_weight: float,
        metadata: Mapping[str, Any],
    ) -> None:
        self.version = version
        self.metadata: Mapping[str, Any] = MappingProxyType(dict(metadata))
        self._bias = bias
        self._weights = dict(weights)
        # Word pairs keyed by the pair of words zip() already yields: no string to build.
        self._pairs: dict[tuple[str, str], Vector] = {
            tuple(term.split(" ", 1)): vec  # type: ignore[misc]
            for term, vec in self._weights.items()
            if " " in term
        }
        self._other_weight = other_language_weight
        self._word_vectors = _WordVectors(self._weights)
        self._evidence_items: dict[tuple[str, int], Evidence] = {}

    def classify(self, text: str, lang: str | None = None) -> IntentResult:
        """The post's intent; pure apart from a cache of per-word vectors that changes nothing."""
        shown = words(text)
        toks = shown if text.isascii() else folded(shown)
        vectors = self._word_vectors
        if len(vectors) >= WORDS_KEPT:
            vectors.clear()
        known_words = [word for word in dict.fromkeys(toks) if vectors[word]]
        vecs = [vectors[word] for word in known_words]
        pairs = self._pairs
        known_pairs = [pair for pair in dict.fromkeys(pairwise(toks)) if pair in pairs]
        vecs += [pairs[pair] for pair in known_pairs]
        terms: list[Term] = [*known_words, *known_pairs]
        if vecs:
            columns = zip(*vecs, strict=True)
            scores = [b + sum(col) for b, col in zip(self._bias, columns, strict=True)]
        else:
            scores = list(self._bias)
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        probs = [e / total for e in exps]
        supported = lang is None or lang in SUPPORTED_LANGUAGES
        if not supported:  # unknown vocabulary: keep the ranking, drop below rule thresholds
            keep = self._other_weight
            probs = [keep * p + (1.0 - keep) / len(probs) for p in probs]
        best = probs.index(max(probs))
        return IntentResult(
            intent=INTENTS[best],
            confidence=probs[best],
            probabilities=dict(zip(INTENTS, probs, strict=True)),
            evidence=self._evidence(terms, vecs, best, shown, toks),
            model_version=self.version,
            supported_language=supported,
        )

    def _evidence(
        self, terms: list[Term], vecs: list[Vector], best: int, shown: list[str], toks: list[str]
    ) -> tuple[Evidence, ...]:
        pulls = [vec[best] for vec in vecs]
        order = sorted(range(len(pulls)), key=pulls.__getitem__, reverse=True)[:MAX_EVIDENCE]
        # Words as written (accents kept) when folding changed any.
        display = None if toks is shown or toks == shown else dict(zip(toks, shown, strict=True))
        cache = self._evidence_items
        if len(cache) >= WORDS_KEPT:
            cache.clear()
        out = []
        for index in order:
            pull = pulls[index]
            if pull <= 0.0:
                break
            term = terms[index]
            if isinstance(term, tuple):
                a, b = (display[term[0]], display[term[1]]) if display else term
                label = f"{a} {b}"
            else:
                label = display[term] if display else term
            # A label and an intent always give the same item: made once, then shared.
            item = cache.get((label, best))
            if item is None:
                item = cache[(label, best)] = Evidence(term=label, weight=round(pull, 4))
            out.append(item)
        return tuple(out)

    def to_bytes(self) -> bytes:
        """The model as gzip'd canonical JSON: the same model always gives the same bytes."""
        doc = {
            "format": FORMAT,
            "version": self.version,
            "intents": list(INTENTS),
            "bias": list(self._bias),
            "features": FEATURES,
            "other_language_weight": self._other_weight,
            "metadata": dict(self.metadata),
            "weights": {term: list(vec) for term, vec in self._weights.items()},
        }
        raw = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return gzip.compress(raw.encode("utf-8"), compresslevel=6, mtime=0)

    @classmethod
    def from_bytes(cls, data: bytes) -> IntentModel:
        """A model from :meth:`to_bytes`' output; ValueError says what is wrong otherwise."""
        try:
            doc = json.loads(gzip.decompress(data).decode("utf-8"))
        except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"not an intent model (gzip'd JSON expected): {exc}") from exc
        return _parse(doc)


class _WordVectors(dict[str, Vector]):
    """Word -> the sum of its own and its affixes' weights, computed on first sight."""

    def __init__(self, weights: dict[str, Vector]) -> None:
        super().__init__()
        self._weights = weights

    def __missing__(self, word: str) -> Vector:
        get = self._weights.get
        vecs = [v for f in word_features(word) if (v := get(f))]
        vec = tuple(sum(col) for col in zip(*vecs, strict=True)) if vecs else _NONE
        self[word] = vec
        return vec


def _parse(doc: Any) -> IntentModel:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"not an intent model: format must be {FORMAT!r}")
    if doc.get("intents") != list(INTENTS):
        raise ValueError(f"intent model has intents {doc.get('intents')!r}, expected {INTENTS}")
    version, metadata = doc.get("version"), doc.get("metadata")
    if not isinstance(version, str) or not version:
        raise ValueError("intent model has no version")
    if not isinstance(metadata, dict):
        raise ValueError("intent model metadata must be an object")
    if doc.get("features") != FEATURES:
        raise ValueError(f"intent model features must be {FEATURES!r}, not {doc.get('features')!r}")
    other = doc.get("other_language_weight")
    if not isinstance(other, int | float) or not 0.0 <= other <= 1.0:
        raise ValueError("intent model other_language_weight must be within 0..1")
    weights = doc.get("weights")
    if not isinstance(weights, dict):
        raise ValueError("intent model weights must be an object of term -> vector")
    return IntentModel(
        version=version,
        bias=_vector(doc.get("bias"), "bias"),
        weights={str(term): _vector(vec, term) for term, vec in weights.items()},
        other_language_weight=float(other),
        metadata=metadata,
    )


def _vector(value: Any, name: str) -> Vector:
    if (
        not isinstance(value, list)
        or len(value) != len(INTENTS)
        or not all(isinstance(x, int | float) and math.isfinite(x) for x in value)
    ):
        raise ValueError(f"intent model vector {name!r} must be {len(INTENTS)} finite numbers")
    return tuple(float(x) for x in value)
