"""Any text, any thread: classify never raises, and its answer does not depend on its caches."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import pytest
from chorus_signals.intent import INTENTS, IntentModel, corpus, model, shipped_model
from chorus_signals.intent.features import words
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.unit


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.sampled_from([None, "en", "fr", "de", "ja"]))
def test_any_text_gets_a_well_formed_answer(text: str, lang: str | None) -> None:
    result = shipped_model().classify(text, lang)
    assert result.intent in INTENTS
    assert math.isclose(sum(result.probabilities.values()), 1.0, abs_tol=1e-9)
    assert 0.0 < result.confidence <= 1.0
    post_words = set(words(text))
    assert all(set(item.term.split(" ")) <= post_words for item in result.evidence)


def test_answers_do_not_depend_on_the_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [ex.text for ex in corpus("heldout")[:120]]
    fresh = IntentModel.from_bytes(shipped_model().to_bytes())
    expected = [fresh.classify(t) for t in texts]
    monkeypatch.setattr(model, "WORDS_KEPT", 5)  # caches emptied every few posts
    busy = IntentModel.from_bytes(shipped_model().to_bytes())

    def run(offset: int) -> list[object]:
        order = texts[offset:] + texts[:offset]
        got = {t: busy.classify(t) for t in order}
        return [got[t] for t in texts]

    with ThreadPoolExecutor(max_workers=4) as pool:
        for answers in pool.map(run, [0, 30, 60, 90]):
            assert answers == expected
