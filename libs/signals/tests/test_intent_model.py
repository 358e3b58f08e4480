"""The shipped intent model: result shape, evidence, bytes, empty text, other languages."""

from __future__ import annotations

import gzip
import json
import math

import pytest
from chorus_signals.intent import INTENTS, IntentModel, shipped_model
from chorus_signals.intent.features import words

pytestmark = pytest.mark.unit

POSTS = [
    ("My lawyer will be in touch about the burns your kettle gave my daughter", "en"),
    ("ici France Inter, on prépare un sujet sur vos prix, pouvez-vous nous répondre ?", "fr"),
    ("where is my parcel?? ordered 2 weeks ago", "en"),
    ("J'adore le nouveau flacon, la couleur est sublime 😍", "fr"),
    ("💰 Earn $500/day from home, DM me for the crypto signal group", "en"),
]


@pytest.mark.parametrize(("text", "lang"), POSTS)
def test_result_has_calibrated_probabilities_for_every_intent(text: str, lang: str) -> None:
    result = shipped_model().classify(text, lang)
    assert tuple(result.probabilities) == INTENTS
    assert math.isclose(sum(result.probabilities.values()), 1.0, abs_tol=1e-9)
    assert result.intent == max(result.probabilities, key=result.probabilities.__getitem__)
    assert result.confidence == result.probabilities[result.intent]
    assert result.model_version == shipped_model().version
    assert result.supported_language


@pytest.mark.parametrize(("text", "lang"), POSTS)
def test_evidence_is_words_of_the_post_pulling_toward_the_intent(text: str, lang: str) -> None:
    result = shipped_model().classify(text, lang)
    post_words = set(words(text))
    assert 1 <= len(result.evidence) <= 5
    for item in result.evidence:
        assert set(item.term.split(" ")) <= post_words, item.term
        assert item.weight > 0
    weights = [item.weight for item in result.evidence]
    assert weights == sorted(weights, reverse=True)


def test_evidence_shows_accents_as_written() -> None:
    result = shipped_model().classify("Je veux être remboursée, le colis est arrivé cassé", "fr")
    assert result.intent == "support"
    assert any("é" in item.term for item in result.evidence), result.evidence


def test_obvious_posts_get_their_intent() -> None:
    got = [shipped_model().classify(t, lg).intent for t, lg in POSTS]
    assert got == ["legal", "pr", "support", "brand", "spam"]


@pytest.mark.parametrize("text", ["", "   ", "!!! ??? ...", "\n\t"])
def test_text_without_words_gets_a_low_confidence_answer(text: str) -> None:
    result = shipped_model().classify(text)
    assert result.intent in INTENTS
    assert result.confidence < 0.5
    assert result.evidence == ()


def test_other_languages_are_classified_with_shrunk_confidence() -> None:
    text = "My lawyer will be in touch about the burns your kettle gave my daughter"
    english = shipped_model().classify(text, "en")
    other = shipped_model().classify(text, "de")
    assert not other.supported_language
    assert other.intent == english.intent == "legal"
    assert other.confidence <= 0.6 < english.confidence
    assert math.isclose(sum(other.probabilities.values()), 1.0, abs_tol=1e-9)
    assert min(other.probabilities.values()) >= 0.1


def test_unknown_language_is_treated_as_supported() -> None:
    result = shipped_model().classify("refund pls", None)
    assert result.supported_language
    assert result.intent == "support"


def test_bytes_round_trip_to_the_same_model() -> None:
    model = shipped_model()
    data = model.to_bytes()
    again = IntentModel.from_bytes(data)
    assert again.to_bytes() == data
    assert again.version == model.version
    assert dict(again.metadata) == dict(model.metadata)
    for text, lang in POSTS:
        assert again.classify(text, lang) == model.classify(text, lang)


def _tiny() -> IntentModel:
    return IntentModel(
        version="tiny-1",
        bias=(0.0, 0.0, 0.0, 0.5, 0.0),
        weights={"refund": (-1.0, -1.0, -1.0, 4.0, -1.0), "my lawyer": (4.0, 0, -2.0, -1.0, -1.0)},
        other_language_weight=0.5,
        metadata={"trained_at": "2026-01-01T00:00:00+00:00"},
    )


def test_a_model_built_from_weights_reads_words_and_pairs() -> None:
    model = IntentModel.from_bytes(_tiny().to_bytes())
    assert model.classify("REFUND now").intent == "support"
    legal = model.classify("My Lawyer knows")
    assert legal.intent == "legal"
    assert [e.term for e in legal.evidence] == ["my lawyer"]


def _doc() -> dict[str, object]:
    doc: dict[str, object] = json.loads(gzip.decompress(_tiny().to_bytes()))
    return doc


def _pack(doc: object) -> bytes:
    return gzip.compress(json.dumps(doc).encode())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "other/1"}, "format"),
        ({"intents": ["legal", "pr"]}, "intents"),
        ({"version": ""}, "version"),
        ({"bias": [0.0, 1.0]}, "bias"),
        ({"weights": {"refund": [0, 0, 0, "x", 0]}}, "refund"),
        ({"weights": {"refund": [0, 0, 0, float("nan"), 0]}}, "refund"),
        ({"features": "chars"}, "features"),
        ({"other_language_weight": 2}, "other_language_weight"),
        ({"metadata": []}, "metadata"),
    ],
)
def test_malformed_model_is_refused_with_the_reason(
    change: dict[str, object], message: str
) -> None:
    doc = _doc() | change
    with pytest.raises(ValueError, match=message):
        IntentModel.from_bytes(_pack(doc))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not gzip at all",
        gzip.compress(b"{not json"),
        gzip.compress(b"[1, 2]"),
        gzip.compress(b"\xff\xfe"),
    ],
)
def test_bytes_that_are_not_a_model_raise_value_error(data: bytes) -> None:
    with pytest.raises(ValueError, match="intent model"):
        IntentModel.from_bytes(data)


def test_shipped_model_is_loaded_once() -> None:
    assert shipped_model() is shipped_model()
