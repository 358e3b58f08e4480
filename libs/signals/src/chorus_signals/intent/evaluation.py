"""How well a model does on labelled examples: accuracy, confusions, calibration, cost per post."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from chorus_signals.intent.model import IntentModel
from chorus_signals.intent.types import INTENTS, Example

CALIBRATION_BINS = 10


@dataclass(frozen=True)
class Bin:
    """Predictions whose confidence fell in [low, high): how sure and how often right."""

    low: float
    high: float
    count: int
    confidence: float
    accuracy: float


@dataclass(frozen=True)
class Evaluation:
    """A model's results on a set of labelled examples."""

    total: int
    correct: int
    by_intent: dict[str, tuple[int, int]]  # intent -> (right, examples)
    by_language: dict[str, tuple[int, int]]
    by_cell: dict[tuple[str, str], tuple[int, int]]  # (intent, lang) -> (right, examples)
    predicted: dict[str, int]  # intent -> how many posts were given it
    confusion: dict[tuple[str, str], int]  # (true, predicted) -> posts
    bins: tuple[Bin, ...]
    ece: float

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def rate(self, key: str) -> float:
        """Share right among the examples of an intent or a language."""
        right, n = self.by_intent.get(key) or self.by_language.get(key) or (0, 0)
        return right / n if n else 0.0

    def precision(self, intent: str) -> float:
        given = self.predicted.get(intent, 0)
        return self.confusion.get((intent, intent), 0) / given if given else 0.0

    @property
    def costly_misses(self) -> int:
        """Legal or PR posts sent to support: the mistake the product exists to prevent."""
        return self.confusion.get(("legal", "support"), 0) + self.confusion.get(
            ("pr", "support"), 0
        )


def evaluate(model: IntentModel, examples: Sequence[Example]) -> Evaluation:
    """Classify every example (with its language) and compare with its label."""
    results = [model.classify(ex.text, ex.lang) for ex in examples]
    right = [ex.intent == res.intent for ex, res in zip(examples, results, strict=True)]
    langs = sorted({ex.lang or "?" for ex in examples})
    by_intent = dict.fromkeys(INTENTS, (0, 0))
    by_language = dict.fromkeys(langs, (0, 0))
    by_cell = dict.fromkeys(((i, lg) for i in INTENTS for lg in langs), (0, 0))
    for ex, ok in zip(examples, right, strict=True):
        lang = ex.lang or "?"
        for table, key in (
            (by_intent, ex.intent),
            (by_language, lang),
            (by_cell, (ex.intent, lang)),
        ):
            hits, count = table[key]  # type: ignore[index]
            table[key] = (hits + ok, count + 1)  # type: ignore[index]
    bins = _reliability([res.confidence for res in results], right)
    ece = sum(b.count * abs(b.confidence - b.accuracy) for b in bins) / max(len(results), 1)
    return Evaluation(
        total=len(results),
        correct=sum(right),
        by_intent=by_intent,
        by_language=by_language,
        by_cell=by_cell,
        predicted=dict(Counter(res.intent for res in results)),
        confusion=dict(
            Counter((ex.intent, res.intent) for ex, res in zip(examples, results, strict=True))
        ),
        bins=bins,
        ece=ece,
    )


def _reliability(confidences: list[float], right: list[bool]) -> tuple[Bin, ...]:
    out = []
    for k in range(CALIBRATION_BINS):
        low, high = k / CALIBRATION_BINS, (k + 1) / CALIBRATION_BINS
        inside = [
            (c, r)
            for c, r in zip(confidences, right, strict=True)
            if low <= c < high or (k == CALIBRATION_BINS - 1 and c == 1.0)
        ]
        if inside:
            out.append(
                Bin(
                    low=low,
                    high=high,
                    count=len(inside),
                    confidence=statistics.fmean(c for c, _ in inside),
                    accuracy=sum(r for _, r in inside) / len(inside),
                )
            )
    return tuple(out)


@dataclass(frozen=True)
class Cost:
    """CPU microseconds per classified post (median over the texts, each at its best run)."""

    first_sight_us: float  # a fresh model: every word's vector computed on first sight
    warm_us: float  # the words already seen, as on a busy routing path
    p90_warm_us: float


def measure_cost(model_bytes: bytes, texts: Sequence[str], *, repeat: int = 5) -> Cost:
    """The CPU time of ``classify`` per post, on a model loaded afresh from ``model_bytes``.

    CPU time of this thread, not wall-clock: on a shared machine, time spent waiting for a
    core is not the classifier's cost."""
    model = IntentModel.from_bytes(model_bytes)
    clock = time.thread_time_ns
    first = []
    for text in texts:
        started = clock()
        model.classify(text)
        first.append((clock() - started) / 1000)
    warm = []
    for text in texts:
        best = float("inf")
        for _ in range(repeat):
            started = clock()
            for _ in range(10):
                model.classify(text)
            best = min(best, (clock() - started) / 10_000)
        warm.append(best)
    warm.sort()
    return Cost(
        first_sight_us=statistics.median(first),
        warm_us=statistics.median(warm),
        p90_warm_us=warm[int(0.9 * (len(warm) - 1))],
    )
