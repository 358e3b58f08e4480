"""The detectors compared, each built in the process that measures it.

Every detector gets the same text gates as ingest's (URLs, mentions, hashtags and e-mail
addresses removed; None under three letters), so only the models differ. ``served`` is what
ingest would store (a language of LANGUAGES or None; the call that is timed); ``raw`` is the
model's own top language (any it knows) and its confidence, for the unrestricted figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from chorus_signals.lang import _LETTER, _NOISE, LANGUAGES, MIN_LETTERS

SERVED = frozenset(LANGUAGES)
Raw = Callable[[str], tuple[str | None, float | None]]


@dataclass(frozen=True)
class Detector:
    served: Callable[[str], str | None]
    raw: Raw
    open_set: bool  # weighs languages outside LANGUAGES (so a Polish post can be told apart)


@dataclass(frozen=True)
class Config:
    key: str
    label: str
    build: Callable[[], Detector]


def gated(text: str) -> str | None:
    """The text a model is asked about, or None when ingest would not ask."""
    cleaned = _NOISE.sub(" ", text[:2000])
    if len(list(islice(_LETTER.finditer(cleaned), MIN_LETTERS))) < MIN_LETTERS:
        return None
    return cleaned


def _open_set(raw: Raw) -> Detector:
    def served(text: str) -> str | None:
        lang, _ = raw(text)
        return lang if lang in SERVED else None

    return Detector(served=served, raw=raw, open_set=True)


def _restricted(served: Callable[[str], str | None]) -> Detector:
    return Detector(served=served, raw=lambda text: (served(text), None), open_set=False)


def chorus() -> Detector:
    """Ingest's ``detect_language`` (without its cache of recent texts)."""
    from chorus_signals import lang

    lang.warm_up()
    return Detector(served=lang._detect_uncached, raw=lang.classify, open_set=True)


def fasttext_alone() -> Detector:
    """fastText's top language when served and at least MIN_CONFIDENCE sure, else None."""
    from chorus_signals import lang

    lang._model()

    def served(text: str) -> str | None:
        top, confidence = lang.classify(text)
        return top if top in SERVED and confidence >= lang.MIN_CONFIDENCE else None

    return Detector(served=served, raw=lang.classify, open_set=True)


def fasttext_restricted() -> Detector:
    """fastText's probabilities of the served languages alone, renormalised (as ingest
    restricted py3langid); threshold 0."""
    from chorus_signals import lang

    model = lang.load_model()

    def served(text: str) -> str | None:
        cleaned = gated(text)
        if cleaned is None:
            return None
        labels, probs = model.predict(" ".join(cleaned.split()), k=-1)
        scores = {
            label.removeprefix("__label__"): p for label, p in zip(labels, probs, strict=True)
        }
        return max(LANGUAGES, key=lambda code: scores.get(code, 0.0))

    return _restricted(served)


def py3langid_restricted() -> Detector:
    """What ingest answered before fastText: py3langid over LANGUAGES, None under 0.3."""
    from chorus_signals.langid_scorer import scorer

    model = scorer(LANGUAGES)

    def served(text: str) -> str | None:
        cleaned = gated(text)
        if cleaned is None:
            return None
        lang, confidence = model.classify(cleaned)
        return lang if confidence >= 0.3 else None

    return _restricted(served)


def py3langid_all() -> Detector:
    """py3langid's whole model, as shipped (its own ``classify``); threshold 0."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def raw(text: str) -> tuple[str | None, float | None]:
        cleaned = gated(text)
        if cleaned is None:
            return None, None
        lang, confidence = ident.classify(cleaned)
        return str(lang), float(confidence)

    return _open_set(raw)


def _lingua(detector: Any) -> Callable[[str], str | None]:
    def detect(text: str) -> str | None:
        cleaned = gated(text)
        found = None if cleaned is None else detector.detect_language_of(cleaned)
        return None if found is None else str(found.iso_code_639_1.name).lower()

    return detect


def lingua_restricted() -> Detector:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in LANGUAGES]
    built = LanguageDetectorBuilder.from_languages(*languages)
    return _restricted(_lingua(built.with_preloaded_language_models().build()))


def lingua_all(low_accuracy: bool = False) -> Detector:
    from lingua import LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models()
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    detect = _lingua(builder.build())
    return _open_set(lambda text: (detect(text), None))


CONFIGS: tuple[Config, ...] = (
    Config("py3langid-7", "py3langid, 7 languages (ingest until now)", py3langid_restricted),
    Config("py3langid-all", "py3langid, all 142 languages", py3langid_all),
    Config("fasttext-7", "fastText lid.176.ftz, 7 languages", fasttext_restricted),
    Config("fasttext", "fastText lid.176.ftz, all 176 languages", fasttext_alone),
    Config("chorus", "fastText whether, py3langid which (**ingest now**)", chorus),
    Config("lingua-7", "Lingua, 7 languages", lingua_restricted),
    Config("lingua-all", "Lingua, all 75 languages", lingua_all),
    Config("lingua-all-low", "Lingua, all 75, low-accuracy mode", lambda: lingua_all(True)),
)
BY_KEY = {config.key: config for config in CONFIGS}
