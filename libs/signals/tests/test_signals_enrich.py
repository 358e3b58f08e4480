"""Enrichment: language, sentiment (EN/FR), entities and personal data on a labelled sample."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest
from chorus_common.contracts.events import Author, Post
from chorus_signals import compute_signals, detect_language, enrich
from chorus_signals.entities import extract_entities
from chorus_signals.keywords import extract_keywords
from chorus_signals.sentiment import french_score, sentiment


def _sample() -> list[tuple[str, str, str]]:
    spec = importlib.util.spec_from_file_location(
        "signals_sample", Path(__file__).with_name("signals_sample.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SAMPLE


def _post(text: str, lang: str | None = None) -> Post:
    return Post(
        id="generic:1",
        platform="generic",
        channel="c",
        kind="post",
        native_id="1",
        thread_id="generic:1",
        author=Author(id="a"),
        text=text,
        lang=lang,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


@pytest.mark.unit
def test_language_accuracy_on_labelled_sample_is_at_least_95_percent() -> None:
    sample = _sample()
    right = sum(detect_language(text) == lang for lang, _, text in sample)
    assert len(sample) >= 60
    assert right / len(sample) >= 0.95


@pytest.mark.unit
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_sentiment_accuracy_on_labelled_sample_is_at_least_85_percent(lang: str) -> None:
    rows = [(label, text) for lg, label, text in _sample() if lg == lang]
    right = sum(sentiment(text, lang)[1] == label for label, text in rows)
    assert len(rows) >= 30
    assert right / len(rows) >= 0.85


@pytest.mark.unit
def test_french_negation_flips_polarity() -> None:
    assert french_score("Je suis content") > 0.3
    assert french_score("Je ne suis pas content") < -0.3
    assert french_score("pas terrible") < 0
    assert french_score("c'est pas mal") > 0


@pytest.mark.unit
def test_entities_find_mentions_hashtags_urls_emails_and_phones() -> None:
    text = (
        "@Chorus_Brand #Boycott now! See https://example.com/a?b=1. "
        "Write to Jane.Doe@example.org or call +33 6 12 34 56 78 / (555) 123-4567"
    )
    ents = extract_entities(text)
    assert ents["mentions"] == ("chorus_brand",)
    assert ents["hashtags"] == ("boycott",)
    assert ents["urls"] == ("https://example.com/a?b=1",)
    assert ents["emails"] == ("jane.doe@example.org",)
    assert ents["phones"] == ("+33 6 12 34 56 78", "(555) 123-4567")


@pytest.mark.unit
def test_dates_prices_and_order_numbers_are_not_phones() -> None:
    assert "phones" not in extract_entities("Order 12345 of 2024-05-01 cost 12.50 EUR at 18:30")


@pytest.mark.unit
def test_personal_data_flag_set_only_when_email_or_phone_present() -> None:
    assert compute_signals("mail me: a@b.co", "en").personal_data is True
    assert compute_signals("call 06 12 34 56 78", "fr").personal_data is True
    assert compute_signals("@brand #love https://x.co", "en").personal_data is False


@pytest.mark.unit
def test_keywords_drop_stop_words_and_keep_hashtags() -> None:
    kws = extract_keywords("Je vais porter plainte contre la marque, plainte déposée", ("rgpd",))
    assert kws[0] == "plainte"
    assert "rgpd" in kws
    assert not {"la", "je"} & set(kws)


@pytest.mark.unit
def test_enrich_fills_lang_only_when_missing_and_is_deterministic() -> None:
    detected = enrich(_post("Livraison en retard, je suis très déçu"))
    assert detected.lang == "fr"
    assert detected.signals.sentiment_label == "negative"
    assert -1.0 <= (detected.signals.sentiment_score or 0) <= 1.0
    kept = enrich(_post("Livraison en retard, je suis très déçu", lang="de"))
    assert kept.lang == "de"
    post = _post("Great job @brand!")
    assert enrich(post) == enrich(post)


@pytest.mark.unit
def test_enrich_handles_empty_and_symbol_only_text() -> None:
    for text in ("", "!!!", "👍", "1234"):
        out = enrich(_post(text))
        assert out.signals.sentiment_label in ("negative", "neutral", "positive")
    assert enrich(_post("")).lang is None


@pytest.mark.unit
def test_french_folding_lowers_and_strips_accents_of_ascii_and_accented_words() -> None:
    from chorus_signals.sentiment import _fold

    assert [_fold(w) for w in ("Merci", "NUL", "déçu", "ÉTÉ", "Noël", "garçon")] == [
        "merci",
        "nul",
        "decu",
        "ete",
        "noel",
        "garcon",
    ]
