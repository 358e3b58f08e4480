"""The py3langid scorer that picks among the served languages: py3langid's own answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chorus_signals import langid_scorer
from chorus_signals.lang import LANGUAGES
from chorus_signals.langid_scorer import Scorer, load_identifier, scorer

SAMPLE = Path(__file__).with_name("data") / "langid_sample.jsonl"


def _corpus() -> list[str]:
    """Served-language posts of the sample, plus texts that take the edge paths: upper case
    (lowered first), no feature at all, non-Latin scripts, emoji, and long text."""
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    texts = [row["text"] for row in rows if row["lang"] in LANGUAGES][::3]
    texts += [t.upper() for t in texts[:20]]
    texts += ["", " ", "1234 5678", "!!!", "👍👍👍", "Привет, как дела?", "東京で会いましょう"]
    texts += ["mañana será otro día " * 40, "Ärger über die Lieferung, 😡 #fail"]
    return texts


@pytest.mark.unit
def test_the_scorer_gives_py3langids_language_and_confidence() -> None:
    reference, ours = load_identifier(LANGUAGES), scorer(LANGUAGES)
    corpus = _corpus()
    assert len(corpus) > 150
    for text in corpus:
        want_lang, want_conf = reference.classify(text)
        got_lang, got_conf = ours.classify(text)
        assert got_lang == want_lang, text
        assert got_conf == pytest.approx(float(want_conf), abs=1e-5), text


@pytest.mark.unit
def test_the_scorer_refuses_a_model_it_does_not_reproduce() -> None:
    class Raw:  # scores not normalised into probabilities
        _alias_pairs: list[tuple[int, int]] = []
        _norm_probs = False

    with pytest.raises(ValueError, match="normalising"):
        Scorer(Raw())
    assert load_identifier(LANGUAGES)._alias_pairs == []  # none among the languages served


@pytest.mark.unit
def test_the_word_at_a_time_walk_emits_the_byte_walks_features_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fresh = Scorer(load_identifier(LANGUAGES))
    corpus = [*_corpus(), "two  spaces,   three   ", " lead", "trail ", "x" * 90 + " y"]
    for text in corpus:
        data = fresh.encode(text)
        assert b"".join(langid_scorer._CHUNK.findall(data)) == data, "the chunks cover every byte"
        _, plain = fresh.walk(0, data)
        assert tuple(fresh.features(data)) == plain, text  # first walk: every word walked
        assert tuple(fresh.features(data)) == plain, text  # again: every word looked up
    assert fresh._walks, "words were kept"
    # Full: everything is forgotten at once, and the answers do not change.
    monkeypatch.setattr(langid_scorer, "WALKS_KEPT", 5)
    fresh._walks.clear()
    for text in corpus[:40]:
        data = fresh.encode(text)
        assert tuple(fresh.features(data)) == fresh.walk(0, data)[1], text
        assert len(fresh._walks) <= 5
