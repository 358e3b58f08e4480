"""Keyword matching: word boundaries, accent folding, plural and inflection tolerance."""

from __future__ import annotations

import pytest
from chorus_router.routing.postview import PhraseIndex
from chorus_router.routing.text import fold, stems


def _hits(phrase: str, text: str) -> bool:
    return bool(PhraseIndex([phrase]).find(stems(text)))


@pytest.mark.unit
def test_accents_and_case_are_folded() -> None:
    assert fold("Épargné ŒUVRE") == "epargne oeuvre"
    assert _hits("remboursé", "REMBOURSE vite")
    assert _hits("procès", "un proces est en cours")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("refund", "both refunds were refused"),
        ("refund", "I got refunded twice"),
        ("rembourser", "remboursez-moi"),
        ("remboursement", "les remboursées"),
        ("order", "my orders"),
        ("delivery", "the deliveries were late"),
        ("livrer", "jamais livrée"),
        ("boycott", "we are boycotting"),
        ("party", "both parties agreed"),
    ],
)
def test_plurals_and_inflections_match(phrase: str, text: str) -> None:
    assert _hits(phrase, text)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("sue", "that is an issue"),
        ("order", "at the border"),
        ("court", "courtesy call"),
        ("nul", "annulé"),
    ],
)
def test_words_match_only_on_word_boundaries(phrase: str, text: str) -> None:
    assert not _hits(phrase, text)


@pytest.mark.unit
def test_phrases_match_in_sequence_and_star_is_one_word() -> None:
    assert _hits("take * to court", "we'll take you to court")
    assert _hits("take * to court", "they are taking them to court")
    assert not _hits("take * to court", "take it all the way to court")
    assert _hits("mot de passe", "mon mot de passe ne marche pas")
    assert not _hits("mot de passe", "mot passe")
