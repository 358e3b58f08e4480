"""Fitting an intent model with scikit-learn, then exporting it to plain per-term weights."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from chorus_signals.intent.features import features
from chorus_signals.intent.model import IntentModel
from chorus_signals.intent.types import INTENTS, Example

# Chosen by cross-validation on the train split (docs/intent-classifier.md says how).
C = 8.0
CHAR_NGRAMS = (3, 5)
FOLDS = 5
PRUNE_BELOW = 0.01  # a term whose every calibrated weight is smaller adds nothing measurable
DECIMALS = 4
OTHER_LANGUAGE_WEIGHT = 0.5  # other languages: half the model's say, half uniform


def train(
    examples: Sequence[Example],
    *,
    version: str,
    seed: int = 0,
    trained_at: datetime | None = None,
) -> IntentModel:
    """A calibrated model of ``examples``: the same examples, seed and time give the same bytes.

    CPU-bound (seconds per thousand examples): run it in a thread from async code. The
    temperature is fitted on out-of-fold scores of ``examples`` alone."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import Pipeline

    _check(examples)
    # Content order, not input order: the same examples always give the same folds and bytes.
    examples = sorted(examples, key=lambda ex: (ex.text, ex.intent, ex.lang or "", ex.source))
    texts = [ex.text for ex in examples]
    labels = [INTENTS.index(ex.intent) for ex in examples]
    # Folds keep each intent's share in each language.
    strata = [f"{ex.intent}/{ex.lang}" for ex in examples]
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    try:
        splits = list(folds.split(texts, strata))
    except ValueError:  # a language too rare for its own strata: stratify by intent alone
        splits = list(folds.split(texts, labels))
    low, high = CHAR_NGRAMS
    pipeline = Pipeline(
        [
            ("terms", CountVectorizer(analyzer=partial(features, low=low, high=high))),
            ("linear", LogisticRegression(C=C, max_iter=5000, random_state=seed)),
        ]
    )
    calibrated = CalibratedClassifierCV(pipeline, method="temperature", cv=splits, ensemble=False)
    calibrated.fit(texts, labels)
    fitted = calibrated.calibrated_classifiers_[0]
    beta = float(fitted.calibrators[0].beta_)
    vocabulary: dict[str, int] = fitted.estimator.named_steps["terms"].vocabulary_
    linear = fitted.estimator.named_steps["linear"]
    coef = linear.coef_ * beta
    coef -= coef.mean(axis=0)
    intercept = linear.intercept_ * beta
    intercept -= intercept.mean()
    weights: dict[str, tuple[float, ...]] = {}
    for term, column in sorted(vocabulary.items()):
        vec = coef[:, column]
        if float(abs(vec).max()) >= PRUNE_BELOW:
            weights[term] = tuple(round(float(x), DECIMALS) for x in vec)
    import sklearn

    metadata: dict[str, Any] = {
        "trained_at": (trained_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        "examples": dict(sorted(Counter(ex.source for ex in examples).items())),
        "examples_per_intent": {i: sum(ex.intent == i for ex in examples) for i in INTENTS},
        "corpus_digest": corpus_digest(examples),
        "temperature": round(1.0 / beta, 6),
        "seed": seed,
        "regularisation_c": C,
        "folds": FOLDS,
        "terms": len(weights),
        "terms_before_pruning": len(vocabulary),
        "trainer": f"scikit-learn {sklearn.__version__} LogisticRegression + temperature",
    }
    return IntentModel(
        version=version,
        bias=tuple(round(float(x), DECIMALS) for x in intercept),
        weights=weights,
        char_ngrams=CHAR_NGRAMS,
        other_language_weight=OTHER_LANGUAGE_WEIGHT,
        metadata=metadata,
    )


def corpus_digest(examples: Sequence[Example]) -> str:
    """A short digest of the examples' content, whatever their order."""
    lines = sorted(
        json.dumps([ex.text, ex.intent, ex.lang, ex.source], ensure_ascii=False) for ex in examples
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:12]


def _check(examples: Sequence[Example]) -> None:
    counts = Counter(ex.intent for ex in examples)
    thin = [i for i in INTENTS if counts[i] < FOLDS]
    if thin:
        raise ValueError(
            f"training needs at least {FOLDS} examples of every intent; too few for {thin}"
        )
