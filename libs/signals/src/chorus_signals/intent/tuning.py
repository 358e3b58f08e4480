"""The choices behind the shipped settings, measured by 5-fold cross-validation on the train
split only (the held-out split is never read here), written to data/tuning.json for the report.

    uv run python -m chorus_signals.intent.tuning       # a few minutes
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

from chorus_signals.intent.features import features, folded, word_features, words
from chorus_signals.intent.shipped import corpus
from chorus_signals.intent.training import (
    CLASS_WEIGHT,
    FOLDS,
    PRUNE_BELOW,
    _strata,
    corpus_digest,
)
from chorus_signals.intent.types import INTENTS

OUT = Path(__file__).with_name("data") / "tuning.json"
Analyzer = Callable[[str], list[str]]


def _words(text: str) -> list[str]:
    return list(dict.fromkeys(folded(words(text))))


def _words_pairs(text: str) -> list[str]:
    toks = folded(words(text))
    return [*dict.fromkeys(toks), *(f"{a} {b}" for a, b in dict.fromkeys(pairwise(toks)))]


def _words_affixes(text: str) -> list[str]:
    return [f for w in dict.fromkeys(folded(words(text))) for f in word_features(w)]


def _words_pairs_letters(text: str) -> list[str]:
    """Words, pairs and every 3- to 5-letter group of each word (fastText-style)."""
    out = _words_pairs(text)
    for word in dict.fromkeys(folded(words(text))):
        marked = f"<{word}>"
        out += [f"#{marked[i : i + n]}" for n in (3, 4, 5) for i in range(len(marked) - n + 1)]
    return out


FEATURE_SETS: dict[str, Analyzer] = {
    "words": _words,
    "words + pairs": _words_pairs,
    "words + affixes": _words_affixes,
    "words + pairs + affixes (shipped)": features,
    "words + pairs + 3-5 letter groups": _words_pairs_letters,
}


def cross_validate(
    analyzer: Analyzer,
    *,
    c: float,
    weight: float,
    share: float = 1.0,
    prune: float = PRUNE_BELOW,
    seed: int = 0,
) -> dict[str, Any]:
    """Out-of-fold accuracy, recall per intent and legal/PR posts sent to support."""
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    examples = corpus("train")
    labels = np.array([INTENTS.index(ex.intent) for ex in examples])
    matrix = CountVectorizer(analyzer=analyzer).fit_transform([ex.text for ex in examples])
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    predicted = np.empty_like(labels)
    weights = {INTENTS.index(i): (weight if i in ("legal", "pr") else 1.0) for i in INTENTS}
    keep = np.random.RandomState(seed).rand(len(labels)) < share
    with threadpool_limits(limits=1):
        for fit_rows, test_rows in folds.split(matrix, _strata(examples)):
            fit_rows = fit_rows[keep[fit_rows]]
            model = LogisticRegression(C=c, class_weight=weights, max_iter=5000)
            model.fit(matrix[fit_rows], labels[fit_rows])
            # As shipped: weights centred per term, the terms below the threshold dropped.
            coef = model.coef_ - model.coef_.mean(axis=0)
            coef *= abs(coef).max(axis=0) >= prune
            scores = matrix[test_rows] @ coef.T + model.intercept_
            predicted[test_rows] = scores.argmax(axis=1)
    support = INTENTS.index("support")
    return {
        "accuracy": round(float((predicted == labels).mean()), 4),
        "recall": {
            i: round(float((predicted[labels == k] == k).mean()), 4) for k, i in enumerate(INTENTS)
        },
        "legal_pr_to_support": int(
            sum(
                ((labels == INTENTS.index(i)) & (predicted == support)).sum()
                for i in ("legal", "pr")
            )
        ),
        "train_examples": int(keep.sum() * (FOLDS - 1) / FOLDS),
    }


def main() -> int:
    shipped = features
    c, weight = 2.0, CLASS_WEIGHT["legal"]
    p = PRUNE_BELOW
    runs: list[tuple[str, str, Analyzer, float, float, float, float]] = [
        ("features", name, analyzer, c, weight, 1.0, p) for name, analyzer in FEATURE_SETS.items()
    ]
    runs += [("regularisation C", f"C = {x}", shipped, x, weight, 1.0, p) for x in (0.5, 8.0)]
    runs += [("legal/PR weight", f"weight {x}", shipped, c, x, 1.0, p) for x in (1.0, 1.5, 3.0)]
    runs += [("pruning", f"below {x}", shipped, c, weight, 1.0, x) for x in (0.0, 0.05)]
    runs += [("train share", f"{x:.0%}", shipped, c, weight, x, p) for x in (0.25, 0.5, 0.75)]
    rows = []
    for group, name, analyzer, cc, ww, share, prune in runs:
        started = time.perf_counter()
        result = cross_validate(analyzer, c=cc, weight=ww, share=share, prune=prune)
        rows.append({"group": group, "name": name, "c": cc, "weight": ww, "share": share} | result)
        print(f"{group}: {name}: {result} ({time.perf_counter() - started:.0f} s)", flush=True)
    digest = corpus_digest(corpus("train"))
    doc = {"folds": FOLDS, "corpus_digest": digest, "rows": rows}
    OUT.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
