"""Language detection with py3langid's bundled model (no network), restricted to a set we serve."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

# Languages a European brand's community writes in; a smaller set is faster and more accurate.
LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "de", "it", "pt", "nl")
MIN_LETTERS = 3
MIN_CONFIDENCE = 0.3
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#][\w.]+|\S+@\S+", re.UNICODE)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@cache
def _identifier() -> Any:
    """Load the model once per process (about 0.7 s); later calls are free."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def warm_up() -> None:
    """Load the model now instead of on the first post."""
    _identifier()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``, or None when too short or too uncertain; deterministic."""
    return _detect(text) if len(text) <= 2000 else _detect_uncached(text)


@lru_cache(maxsize=8192)
def _detect(text: str) -> str | None:
    return _detect_uncached(text)


def _detect_uncached(text: str) -> str | None:
    cleaned = _NOISE.sub(" ", text[:2000])
    if len(_LETTER.findall(cleaned)) < MIN_LETTERS:
        return None
    lang, confidence = _identifier().classify(cleaned)
    if confidence < MIN_CONFIDENCE:
        return None
    return str(lang)
