"""Training: deterministic bytes, corrections counted, refusals; mechanics on a small subset."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from chorus_signals.intent import INTENTS, Example, IntentModel, corpus, train

pytestmark = pytest.mark.unit

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def _subset(per_cell: int = 12) -> list[Example]:
    """The first examples of each intent in each language: enough to exercise the mechanics."""
    out: list[Example] = []
    for intent in INTENTS:
        for lang in ("en", "fr"):
            cell = [ex for ex in corpus("train") if ex.intent == intent and ex.lang == lang]
            out += cell[:per_cell]
    return out


def test_same_examples_and_seed_give_identical_bytes_whatever_their_order() -> None:
    examples = _subset()
    shuffled = examples[:]
    random.Random(7).shuffle(shuffled)
    first = train(examples, version="t-1", seed=3, trained_at=WHEN).to_bytes()
    second = train(shuffled, version="t-1", seed=3, trained_at=WHEN).to_bytes()
    assert first == second


def test_trained_model_learns_and_records_how_it_was_made() -> None:
    correction = Example(text="not for us: a refund request", intent="support", source="correction")
    examples = [*_subset(), correction]
    model = IntentModel.from_bytes(train(examples, version="cand-7", trained_at=WHEN).to_bytes())
    assert model.version == "cand-7"
    meta = model.metadata
    assert meta["trained_at"] == "2026-01-01T00:00:00+00:00"
    assert meta["examples"] == {"corpus": len(examples) - 1, "correction": 1}
    assert meta["temperature"] > 0
    assert len(meta["corpus_digest"]) == 12
    right = sum(model.classify(ex.text, ex.lang).intent == ex.intent for ex in examples)
    assert right / len(examples) >= 0.9


def test_training_without_enough_examples_of_an_intent_is_refused() -> None:
    examples = [ex for ex in _subset() if ex.intent != "spam"]
    with pytest.raises(ValueError, match="spam"):
        train(examples, version="t")


def test_an_example_with_an_unknown_intent_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown intent"):
        Example(text="hello", intent="sales")
    with pytest.raises(ValueError, match="unknown source"):
        Example(text="hello", intent="brand", source="web")
