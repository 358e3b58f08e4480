"""Fitting an intent model with scikit-learn, then exporting it to plain per-term weights."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from chorus_signals.intent.features import features
from chorus_signals.intent.model import IntentModel
from chorus_signals.intent.types import INTENTS, Example

# Chosen by cross-validation on the train split (docs/intent-classifier.md, "Choices").
C = 2.0
# Legal and PR posts count more in the fit: sending one to support is the costliest mistake.
CLASS_WEIGHT = {"legal": 2.0, "pr": 2.0, "brand": 1.0, "support": 1.0, "spam": 1.0}
FOLDS = 5
PRUNE_BELOW = 0.02  # smaller terms add no cross-validated accuracy, only memory
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

    CPU-bound (tens of seconds for the shipped corpus): run it in a thread from async code.
    The temperature is fitted on out-of-fold scores of ``examples`` alone."""
    _check(examples)
    # Content order, not input order: the same examples always give the same folds and bytes.
    examples = sorted(examples, key=lambda ex: (ex.text, ex.intent, ex.lang or "", ex.source))
    vocabulary, coef, intercept, beta = _fit(examples, seed)
    weights: dict[str, tuple[float, ...]] = {}
    for term, column in sorted(vocabulary.items()):
        vec = coef[:, column]
        if float(abs(vec).max()) >= PRUNE_BELOW:
            weights[term] = tuple(round(float(x), DECIMALS) for x in vec)
    metadata = _metadata(
        examples, seed=seed, trained_at=trained_at, beta=beta, terms=(len(weights), len(vocabulary))
    )
    return IntentModel(
        version=version,
        bias=tuple(round(float(x), DECIMALS) for x in intercept),
        weights=weights,
        other_language_weight=OTHER_LANGUAGE_WEIGHT,
        metadata=metadata,
    )


def _fit(examples: Sequence[Example], seed: int) -> tuple[dict[str, int], Any, Any, float]:
    """Vocabulary, per-term weights and intercepts in calibrated log-odds centred per term,
    and the calibration's inverse temperature."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    labels = [INTENTS.index(ex.intent) for ex in examples]
    # One vocabulary for every fold: a term seen only in a fold's held-out part gets no weight
    # from that fold's fit, so this equals vectorising per fold, once instead of six times.
    terms = CountVectorizer(analyzer=features)
    matrix = terms.fit_transform([ex.text for ex in examples])
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    splits = list(folds.split(matrix, _strata(examples)))
    linear = LogisticRegression(
        C=C,
        class_weight={INTENTS.index(i): w for i, w in CLASS_WEIGHT.items()},
        max_iter=5000,
        random_state=seed,
    )
    calibrated = CalibratedClassifierCV(linear, method="temperature", cv=splits, ensemble=False)
    # One BLAS/OpenMP thread: the same sums in the same order (same bytes), and no threads
    # spinning against each other on a shared machine.
    with threadpool_limits(limits=1):
        calibrated.fit(matrix, labels)
    fitted = calibrated.calibrated_classifiers_[0]
    beta = float(fitted.calibrators[0].beta_)
    coef = fitted.estimator.coef_ * beta
    coef -= coef.mean(axis=0)
    intercept = fitted.estimator.intercept_ * beta
    intercept -= intercept.mean()
    return terms.vocabulary_, coef, intercept, beta


def _metadata(
    examples: Sequence[Example],
    *,
    seed: int,
    trained_at: datetime | None,
    beta: float,
    terms: tuple[int, int],
) -> dict[str, Any]:
    """What a model says of its making; ``terms``: kept and before pruning."""
    import sklearn

    return {
        "trained_at": (trained_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        "examples": dict(sorted(Counter(ex.source for ex in examples).items())),
        "examples_per_intent": {i: sum(ex.intent == i for ex in examples) for i in INTENTS},
        "corpus_digest": corpus_digest(examples),
        "temperature": round(1.0 / beta, 6),
        "seed": seed,
        "regularisation_c": C,
        "class_weight": CLASS_WEIGHT,
        "folds": FOLDS,
        "terms": terms[0],
        "terms_before_pruning": terms[1],
        "trainer": f"scikit-learn {sklearn.__version__} LogisticRegression + temperature",
    }


def corpus_digest(examples: Sequence[Example]) -> str:
    """A short digest of the examples' content, whatever their order."""
    lines = sorted(
        json.dumps([ex.text, ex.intent, ex.lang, ex.source], ensure_ascii=False) for ex in examples
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:12]


def _strata(examples: Sequence[Example]) -> list[str]:
    """Intent and language of each example, so that folds keep each one's share; an example
    of a pair too rare to spread over the folds joins its intent's commonest language."""
    pairs = [(ex.intent, ex.lang or "?") for ex in examples]
    counts = Counter(pairs)
    commonest: dict[str, str] = {}
    for (intent, lang), _ in counts.most_common():
        commonest.setdefault(intent, lang)
    return [f"{i}/{lg if counts[(i, lg)] >= FOLDS else commonest[i]}" for i, lg in pairs]


def _check(examples: Sequence[Example]) -> None:
    counts = Counter(ex.intent for ex in examples)
    thin = [i for i in INTENTS if counts[i] < FOLDS]
    if thin:
        raise ValueError(
            f"training needs at least {FOLDS} examples of every intent; too few for {thin}"
        )
