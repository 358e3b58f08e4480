"""The length X counts against its 280 limit.

X follows twitter-text's v3 configuration: text is NFC-normalized; code points in
U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and U+2032-U+2037 weigh 1, everything else
(CJK, most symbols) weighs 2; an emoji sequence weighs 2 however many code points it
joins; every URL counts as 23 (the t.co link that replaces it); the maximum is 280.
"""

from __future__ import annotations

import re
import unicodedata

from chorus_platforms.kit.textlength import URL_LENGTH, url_spans

_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

_TLDS = (
    "com|org|net|edu|gov|io|co|ai|app|dev|info|biz|me|tv|ly|fr|de|uk|es|it|nl|be|ch|ca|us|"
    "eu|jp|cn|br|au|in|ru|pl|se|no|fi|dk|at|pt|ie|nz|mx|ar|kr|tw|hk|sg|xyz|shop|store|news"
)
_URL = re.compile(
    r"(?:https?://[^\s<>\"]+)"
    r"|(?:(?<![\w@.])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:" + _TLDS + r")\b"
    r"(?:/[^\s<>\"]*)?)",
    re.IGNORECASE,
)


def _is_emoji_base(cp: int) -> bool:
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x2B00 <= cp <= 0x2BFF
        or cp in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x3030, 0x303D)
    )


def _is_modifier(cp: int) -> bool:
    return cp in (0xFE0F, 0x20E3) or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F


def _weight(cp: int) -> int:
    return 1 if any(lo <= cp <= hi for lo, hi in _LIGHT) else 2


def _weigh_plain(text: str) -> int:
    total = 0
    cps = [ord(c) for c in text]
    i, n = 0, len(cps)
    while i < n:
        cp = cps[i]
        if 0x1F1E6 <= cp <= 0x1F1FF:  # regional indicators: a flag is a pair
            total += 2
            i += 2 if i + 1 < n and 0x1F1E6 <= cps[i + 1] <= 0x1F1FF else 1
            continue
        if _is_emoji_base(cp) or (
            i + 1 < n and cps[i + 1] in (0xFE0F, 0x20E3) and cp < 0x80 and chr(cp) in "#*0123456789"
        ):
            total += 2
            i += 1
            while i < n:
                if _is_modifier(cps[i]):
                    i += 1
                elif cps[i] == 0x200D and i + 1 < n:
                    i += 2
                else:
                    break
            continue
        total += _weight(cp)
        i += 1
    return total


def x_weighted_length(text: str) -> int:
    """The length X counts against its 280 limit."""
    text = unicodedata.normalize("NFC", text)
    total, pos = 0, 0
    for start, end in url_spans(text, _URL):
        total += _weigh_plain(text[pos:start]) + URL_LENGTH
        pos = end
    return total + _weigh_plain(text[pos:])
