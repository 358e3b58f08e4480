"""The labelled sample (libs/signals/tests/data/langid_sample.jsonl) and how a post is counted."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from chorus_signals.lang import LANGUAGES

SAMPLE = Path(__file__).parents[2] / "libs/signals/tests/data/langid_sample.jsonl"
SHORT_WORDS = 5
# Kana and CJK ideographs: text written without spaces between words.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True)
class Post:
    lang: str
    text: str

    @property
    def expected(self) -> str | None:
        """What a detector serving LANGUAGES should answer: the language, or None for others."""
        return self.lang if self.lang in LANGUAGES else None

    @property
    def short(self) -> bool:
        return words(self.text) <= SHORT_WORDS


def words(text: str) -> int:
    """Whitespace-separated tokens; a run of kana or ideographs counts one word per two
    characters (about a Japanese word's length), so Japanese posts are not all "short"."""
    count = 0
    for token in text.split():
        unspaced = len(_UNSPACED.findall(token))
        count += max(1, math.ceil(unspaced / 2)) if unspaced else 1
    return count


def load(path: Path = SAMPLE) -> list[Post]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [Post(lang=row["lang"], text=row["text"]) for row in rows]
