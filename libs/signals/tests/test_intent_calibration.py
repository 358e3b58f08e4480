"""Calibration of the shipped model on the held-out split: confidence means what it says."""

from __future__ import annotations

import pytest
from chorus_signals.intent import corpus, shipped_model
from chorus_signals.intent.evaluation import evaluate

pytestmark = pytest.mark.unit


def test_confidence_tracks_accuracy_on_held_out_posts() -> None:
    held = evaluate(shipped_model(), corpus("heldout"))
    assert held.ece < 0.08
    confident = [b for b in held.bins if b.low >= 0.9]
    assert confident
    assert all(b.accuracy >= 0.85 for b in confident)
    unsure = [b for b in held.bins if b.high <= 0.5]
    assert unsure
    assert all(b.accuracy <= 0.7 for b in unsure)


def test_right_answers_are_more_confident_than_wrong_ones() -> None:
    model = shipped_model()
    right: list[float] = []
    wrong: list[float] = []
    for ex in corpus("heldout"):
        result = model.classify(ex.text, ex.lang)
        (right if result.intent == ex.intent else wrong).append(result.confidence)
    assert sum(right) / len(right) > sum(wrong) / len(wrong) + 0.15
