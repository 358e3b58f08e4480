"""Keywords: the fast extraction gives what the plain, match-by-match version gives."""

from __future__ import annotations

import random

import pytest
from chorus_signals.keywords import _CLEAN, _WORD, MAX_KEYWORDS, STOP_WORDS, extract_keywords

from libs.signals.tests.signals_sample import SAMPLE


def _plain(text: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The specification, written out: word by word, then count desc, first position asc."""
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for match in _WORD.finditer(_CLEAN.sub(" ", text[:5000])):
        word = match.group(0).lower().replace("\u2019", "'")
        if "'" in word:
            word = word.rsplit("'", 1)[-1]
        if len(word) >= 3 and word not in STOP_WORDS:
            counts[word] = counts.get(word, 0) + 1
            first.setdefault(word, len(first))
    for tag in extra:
        counts[tag] = counts.get(tag, 0) + 1
        first.setdefault(tag, len(first))
    ranked = sorted(counts, key=lambda w: (-counts[w], first[w]))
    return tuple(ranked[:MAX_KEYWORDS])


def _texts() -> list[str]:
    rng = random.Random(5)
    words = [w for _, _, t in SAMPLE for w in t.split()]
    words += [
        "l'application",
        "d\u2019accord",
        "aujourd'hui",
        "rock'n'roll",
        "L\u2019ÉTÉ",
        "İstanbul",
    ]
    words += ["https://x.co/a", "@brand", "a@b.io", "#tag", "x-ray", "e-mail", "ÉNORME", "ß"]
    out = [t for _, _, t in SAMPLE]
    for _ in range(400):
        out.append(" ".join(rng.choice(words) for _ in range(rng.randint(0, 60))))
    return out


@pytest.mark.unit
def test_keywords_are_those_of_the_plain_version_in_the_same_order() -> None:
    texts = _texts()
    for i, text in enumerate(texts):
        extra = ("rgpd", "recall") if i % 3 == 0 else ()
        assert extract_keywords(text, extra) == _plain(text, extra), text
    assert sum(len(extract_keywords(t)) == MAX_KEYWORDS for t in texts) > 50, "ranking cut"
    assert not any("'" in k for t in texts for k in extract_keywords(t)), "elisions dropped"
