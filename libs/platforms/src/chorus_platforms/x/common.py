"""What X's payload families share: tweet text escaping, language tags, links, authors, and
the snowflake time of an id."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from chorus_common.contracts.events import Author

from chorus_platforms.kit.fields import ItemProblem, as_dict, author, opt_str, optional_name

_USERNAME = re.compile(r"^[A-Za-z0-9_]{1,50}$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})?$")
_TWEPOCH_MS = 1288834974657  # X's snowflake epoch (2010-11-04T01:42:54.657Z)
_SNOWFLAKE_MIN = 1 << 32  # ids before snowflakes (2010) carry no time


def unescape_tweet_text(text: str) -> str:
    """X escapes exactly ``&``, ``<`` and ``>`` in tweet text; undo that and nothing else."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def tweet_lang(value: Any) -> str | None:
    """The BCP 47 tag X detected; ``und``, ``zxx`` and X's private ``q*`` codes mean none."""
    lang = opt_str(value)
    if lang is None or not _LANG.match(lang) or lang in ("und", "zxx") or lang.startswith("q"):
        return None
    return lang


def tweet_url(username: str | None, tweet_id: str) -> str:
    if username and _USERNAME.match(username):
        return f"https://x.com/{username}/status/{tweet_id}"
    return f"https://x.com/i/web/status/{tweet_id}"


def profile_url(username: str | None) -> str | None:
    return f"https://x.com/{username}" if username and _USERNAME.match(username) else None


def v1_author(user_id: str, user: Any) -> Author:
    """A v1.1 user object (tweet ``user``, Account Activity ``users`` map) as an author."""
    user = as_dict(user)
    username = optional_name(user.get("screen_name"))
    return author(
        user_id,
        handle=username,
        display_name=user.get("name"),
        followers=user.get("followers_count"),
        verified=user.get("verified"),
        url=profile_url(username),
    )


def snowflake_time(ident: str, field: str) -> datetime:
    """The creation time a snowflake id carries: the time of an object whose payload has none
    (a v2 response asked without ``created_at``)."""
    value = int(ident) if ident.isascii() and ident.isdigit() and len(ident) <= 19 else 0
    if value < _SNOWFLAKE_MIN or value >= 2**63:
        raise ItemProblem("missing_field", f"{field} is absent and the id carries no time", field)
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=(value >> 22) + _TWEPOCH_MS)


def dm_thread(a: str, b: str) -> str:
    """X's one-to-one conversation id: the two user ids, numerically smaller first."""
    if a.isdigit() and b.isdigit():
        lo, hi = sorted((a, b), key=int)
    else:
        lo, hi = sorted((a, b))
    return f"{lo}-{hi}"
