"""Entities the router can match on: mentions, hashtags, URLs, e-mail addresses, phone numbers."""

from __future__ import annotations

import re

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()]+", re.IGNORECASE)
_EMAIL = re.compile(
    r"\b[\w.+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}\b"
)
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,62}[A-Za-z0-9_])?)")
_HASHTAG = re.compile(r"(?<![\w&#])#([^\W\d_][\w]{0,99})", re.UNICODE)
# International (+33 6 12 34 56 78), French (06 12 34 56 78), North American ((555) 123-4567).
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){2,5}(?!\w)"
)
_ENOUGH_DIGITS = re.compile(r"(?:\d\D{0,3}){9}")  # MIN_PHONE_DIGITS digits, loosely
_TRAILING = ".,;:!?)]}'\""
MIN_PHONE_DIGITS = 9
MAX_PHONE_DIGITS = 15
MAX_PER_KIND = 20


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))[:MAX_PER_KIND]


def _is_phone(candidate: str) -> bool:
    digits = sum(c.isdigit() for c in candidate)
    if not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS:
        return False
    # Dates, times and amounts ("2024-05-01", "12.50") are not phone numbers.
    return not re.fullmatch(r"\d{4}-\d{2}-\d{2}.*|\d+\.\d{1,2}", candidate)


def extract_entities(text: str) -> dict[str, tuple[str, ...]]:
    """Entities found in ``text`` (only kinds that occur); pure and deterministic."""
    # Cheap pre-checks skip the regex passes a plain sentence cannot match (hot path).
    lowered = text.lower()
    urls: list[str] = []
    rest = text
    if "http" in lowered or "www." in lowered:
        urls = [u.rstrip(_TRAILING) for u in _URL.findall(text)]
        rest = _URL.sub(" ", text)
    emails: list[str] = []
    mentions: list[str] = []
    if "@" in rest:
        emails = _EMAIL.findall(rest)
        rest = _EMAIL.sub(" ", rest) if emails else rest
        mentions = [m.lower() for m in _MENTION.findall(rest)]
    hashtags = [h.lower() for h in _HASHTAG.findall(rest)] if "#" in rest else []
    phones: list[str] = []
    if _ENOUGH_DIGITS.search(rest):
        phones = [p.strip() for p in _PHONE.findall(rest) if _is_phone(p.strip())]
    found = {
        "mentions": _unique(mentions),
        "hashtags": _unique(hashtags),
        "urls": _unique(urls),
        "emails": _unique([e.lower() for e in emails]),
        "phones": _unique(phones),
    }
    return {kind: values for kind, values in found.items() if values}


def has_personal_data(entities: dict[str, tuple[str, ...]]) -> bool:
    return bool(entities.get("emails") or entities.get("phones"))
