"""Enrichment of canonical posts: language, sentiment (EN/FR), keywords, entities, personal data."""

from chorus_signals.enrich import compute_signals, enrich, warm_up
from chorus_signals.lang import detect_language

__all__ = ["compute_signals", "detect_language", "enrich", "warm_up"]
