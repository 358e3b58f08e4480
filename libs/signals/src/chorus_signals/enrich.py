"""`enrich(post)`: fill the language (when missing) and the signals of a canonical post."""

from __future__ import annotations

from functools import lru_cache

from chorus_common.contracts.events import Post, Signals, constructed

from chorus_signals.entities import extract_entities, has_personal_data
from chorus_signals.keywords import extract_keywords
from chorus_signals.lang import detect_language
from chorus_signals.lang import warm_up as _warm_lang
from chorus_signals.sentiment import sentiment
from chorus_signals.sentiment import warm_up as _warm_sentiment


def warm_up() -> None:
    """Load the language model and the sentiment lexicon now (call at service start)."""
    _warm_lang()
    _warm_sentiment()


CACHE_SIZE = 8192
CACHE_MAX_TEXT = 2000


def compute_signals(text: str, lang: str | None) -> Signals:
    """Sentiment, keywords and entities of ``text``; pure and deterministic (so cached)."""
    if len(text) <= CACHE_MAX_TEXT:
        return _cached_signals(text, lang)
    return _signals(text, lang)


@lru_cache(maxsize=CACHE_SIZE)
def _cached_signals(text: str, lang: str | None) -> Signals:
    # Repeated texts (retweets, copy-paste campaigns, spam waves) cost nothing the second time.
    return _signals(text, lang)


def _signals(text: str, lang: str | None) -> Signals:
    entities = extract_entities(text)
    score, label = sentiment(text, lang)
    values = {  # valid by construction: not validated again
        "sentiment_score": score,
        "sentiment_label": label,
        "keywords": extract_keywords(text, entities.get("hashtags", ())),
        "entities": entities,
        "personal_data": has_personal_data(entities),
    }
    return constructed(Signals, values)


def enrich(post: Post) -> Post:
    """A copy of ``post`` with ``lang`` (if it was missing) and ``signals`` filled in."""
    lang = post.lang or detect_language(post.text)
    return post.model_copy(update={"lang": lang, "signals": compute_signals(post.text, lang)})
