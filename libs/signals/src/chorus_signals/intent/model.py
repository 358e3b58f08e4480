"""A trained intent model: per-term weights read with dict lookups, no NumPy per post."""

from __future__ import annotations

import gzip
import heapq
import json
import math
import zlib
from collections.abc import Mapping
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from chorus_signals.intent.features import folded_words, word_features, words
from chorus_signals.intent.types import INTENTS, SUPPORTED_LANGUAGES, Evidence, IntentResult

FORMAT = "chorus-intent-linear/1"
MAX_EVIDENCE = 5
WORDS_KEPT = 50_000  # distinct words whose summed vector is remembered; all forgotten when full
Vector = tuple[float, ...]
_NONE: Vector = ()


class IntentModel:
    """A linear model over folded words, word pairs and letter groups, calibrated by temperature.

    The stored weights are already divided by the temperature and centred per term (softmax
    ignores a shift common to every intent), so a term's weight for an intent is its pull in
    calibrated log-odds and doubles as the evidence figure."""

    def __init__(
        self,
        *,
        version: str,
        bias: Vector,
        weights: Mapping[str, Vector],
        char_ngrams: tuple[int, int],
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
        self._low, self._high = char_ngrams
        self._other_weight = other_language_weight
        self._word_vectors: dict[str, Vector] = {}

    def classify(self, text: str, lang: str | None = None) -> IntentResult:
        """The post's intent; pure apart from a cache of per-word vectors that changes nothing."""
        toks = folded_words(text)
        found: list[tuple[str | tuple[str, str], Vector]] = []
        cache = self._word_vectors
        for word in dict.fromkeys(toks):
            vec = cache.get(word)
            if vec is None:
                vec = self._word_vector(word)
                if len(cache) >= WORDS_KEPT:
                    cache.clear()
                cache[word] = vec
            if vec:
                found.append((word, vec))
        pairs = self._pairs
        for pair in dict.fromkeys(pairwise(toks)):
            vec = pairs.get(pair)
            if vec is not None:
                found.append((pair, vec))
        if found:
            scores = [
                b + sum(col)
                for b, col in zip(self._bias, zip(*(v for _, v in found), strict=True), strict=True)
            ]
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
        best = max(range(len(probs)), key=probs.__getitem__)
        return IntentResult(
            intent=INTENTS[best],
            confidence=probs[best],
            probabilities=dict(zip(INTENTS, probs, strict=True)),
            evidence=_evidence(found, best, text, toks),
            model_version=self.version,
            supported_language=supported,
        )

    def _word_vector(self, word: str) -> Vector:
        get = self._weights.get
        vecs = [v for f in word_features(word, self._low, self._high) if (v := get(f))]
        if not vecs:
            return _NONE
        return tuple(sum(col) for col in zip(*vecs, strict=True))

    def to_bytes(self) -> bytes:
        """The model as gzip'd canonical JSON: the same model always gives the same bytes."""
        doc = {
            "format": FORMAT,
            "version": self.version,
            "intents": list(INTENTS),
            "bias": list(self._bias),
            "char_ngrams": [self._low, self._high],
            "other_language_weight": self._other_weight,
            "metadata": dict(self.metadata),
            "weights": {term: list(vec) for term, vec in self._weights.items()},
        }
        raw = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return gzip.compress(raw.encode("utf-8"), compresslevel=9, mtime=0)

    @classmethod
    def from_bytes(cls, data: bytes) -> IntentModel:
        """A model from :meth:`to_bytes`' output; ValueError says what is wrong otherwise."""
        try:
            doc = json.loads(gzip.decompress(data).decode("utf-8"))
        except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"not an intent model (gzip'd JSON expected): {exc}") from exc
        return _parse(doc)


def _evidence(
    found: list[tuple[str | tuple[str, str], Vector]], best: int, text: str, toks: list[str]
) -> tuple[Evidence, ...]:
    pulls = heapq.nlargest(MAX_EVIDENCE, found, key=lambda item: item[1][best])
    if not pulls:
        return ()
    shown = words(text)
    # Same tokens folded or not, unless folding split a character: then show folded words.
    display = dict(zip(toks, shown, strict=True)) if len(shown) == len(toks) else {}
    out = []
    for term, vec in pulls:
        if vec[best] <= 0.0:
            break
        if isinstance(term, tuple):
            label = f"{display.get(term[0], term[0])} {display.get(term[1], term[1])}"
        else:
            label = display.get(term, term)
        out.append(Evidence(term=label, weight=round(vec[best], 4)))
    return tuple(out)


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
    grams = doc.get("char_ngrams")
    if not (
        isinstance(grams, list)
        and len(grams) == 2
        and all(isinstance(n, int) and n >= 0 for n in grams)
        and grams[0] <= grams[1]
    ):
        raise ValueError("intent model char_ngrams must be [low, high] with 0 <= low <= high")
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
        char_ngrams=(grams[0], grams[1]),
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
