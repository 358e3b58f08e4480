"""English sentiment gives VADER's own scores: its look-behind checks see only the words they
read, and nothing else changes."""

from __future__ import annotations

import random

import pytest
from chorus_signals.sentiment import EN_DOMAIN, _vader
from vaderSentiment import vaderSentiment as vs


def _texts(n: int) -> list[str]:
    """Texts dense in what VADER's checks look for: lexicon words, boosters, negations,
    idioms and special cases, "but", "least", capitals, punctuation and emoji."""
    rng = random.Random(11)
    lexicon = sorted(vs.SentimentIntensityAnalyzer().lexicon)
    phrases = [p for p in (*vs.SPECIAL_CASES, *vs.BOOSTER_DICT) if " " in p]
    idioms = [w for phrase in phrases for w in phrase.split()]
    vocabulary = [
        *rng.sample(lexicon, 300),
        *idioms,
        *vs.NEGATE,
        *["no", "never", "so", "this", "without", "doubt", "least", "at", "very", "but", "or"],
        *["nor", "kind", "of", "the", "order", "refund", "support", "lawsuit", "broken", "GREAT"],
        *["😀", "😡", "!!", "?", ":(", ":)", "isn't", "won't"],
    ]
    out = []
    for _ in range(n):
        words = [rng.choice(vocabulary) for _ in range(rng.randint(1, 40))]
        for _ in range(rng.randint(0, 3)):  # whole idioms, next to sentiment words
            at = rng.randint(0, len(words))
            words[at:at] = rng.choice(phrases).split()
        if rng.random() < 0.3:
            words = [w.upper() for w in words[: len(words) // 2]] + words[len(words) // 2 :]
        out.append(" ".join(words) + rng.choice(["", "!", "!!!", "?", "."]))
    return out


@pytest.mark.unit
def test_scores_are_vaders_own_on_texts_full_of_what_its_checks_read() -> None:
    reference = vs.SentimentIntensityAnalyzer()
    reference.lexicon.update(EN_DOMAIN)
    ours = _vader()
    assert type(ours) is not vs.SentimentIntensityAnalyzer, "the windowed analyzer is in use"
    texts = _texts(1500)
    differ = [t for t in texts if ours.polarity_scores(t) != reference.polarity_scores(t)]
    assert differ == []
    # The texts reach the checks: dropping the negations changes many of their scores.
    negations = set(vs.NEGATE)
    plain = [" ".join(w for w in t.split() if w.lower() not in negations) for t in texts]
    negated = sum(
        reference.polarity_scores(t) != reference.polarity_scores(p)
        for t, p in zip(texts, plain, strict=True)
    )
    assert negated > len(texts) // 4
