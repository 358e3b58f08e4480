"""Importing the writers' labelled posts: validated, de-duplicated, split by a hash of the text."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chorus_signals.intent.features import folded, words
from chorus_signals.intent.types import INTENTS, SUPPORTED_LANGUAGES

HELDOUT_SHARE = 0.2
NEAR_DUPLICATE = 0.8  # word-set Jaccard at which two posts say the same thing
MIN_HELDOUT_PER_CELL = 5
KINDS = frozenset({"post", "comment", "reply", "mention", "review", "dm", "email"})
TRAITS = frozenset(
    {
        "no_keyword",
        "sarcasm",
        "mixed",
        "short",
        "emoji",
        "review",
        "formal",
        "slang",
        "typo",
        "outlet_only",
        "regulator_full_name",
    }
)
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")


@dataclass
class Imported:
    """What an import read, kept and dropped, with the reasons."""

    kept: list[dict[str, Any]] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    exact_duplicates: list[str] = field(default_factory=list)
    near_duplicates: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def validate(record: Any) -> str | None:
    """Why ``record`` is not a valid example, or None."""
    if not isinstance(record, dict):
        return "not a JSON object"
    rid = record.get("id")
    if not isinstance(rid, str) or not _ID.match(rid):
        return "id must be a short string of letters, digits, '-', '_' or '.'"
    if record.get("lang") not in SUPPORTED_LANGUAGES:
        return f"lang must be one of {sorted(SUPPORTED_LANGUAGES)}"
    if record.get("intent") not in INTENTS:
        return f"intent must be one of {list(INTENTS)}"
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return "text must be a non-empty string"
    if record.get("kind") not in KINDS:
        return f"kind must be one of {sorted(KINDS)}"
    rating = record.get("rating")
    if rating is not None and (type(rating) is not int or not 1 <= rating <= 5):
        return "rating must be null or an integer 1..5"
    traits = record.get("traits", [])
    if not isinstance(traits, list) or not all(t in TRAITS for t in traits):
        return f"traits must be a list of {sorted(TRAITS)}"
    return None


def read(paths: Iterable[Path]) -> tuple[list[dict[str, Any]], list[str]]:
    """Every valid record of the files in order, and a 'file:line: reason' per invalid line."""
    records: list[dict[str, Any]] = []
    invalid: list[str] = []
    seen: set[str] = set()
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                invalid.append(f"{where}: not JSON ({exc.msg})")
                continue
            reason = validate(record)
            if reason is None and record["id"] in seen:
                reason = f"id {record['id']!r} already used"
            if reason is not None:
                invalid.append(f"{where}: {reason}")
                continue
            seen.add(record["id"])
            records.append(record)
    return records, invalid


def normalised(text: str) -> str:
    """The text as the classifier reads it: folded words joined by single spaces."""
    return " ".join(folded(words(text)))


def deduplicate(records: Sequence[dict[str, Any]], against: Sequence[str] = ()) -> Imported:
    """The records without exact or near repeats (of each other or of ``against`` texts).

    The first of a group is kept; the same text under two labels is dropped entirely; two
    near repeats under different labels are both kept (a contrast the guide asks for: spam
    that borrows support's words)."""
    out = Imported()
    labels: dict[str, set[str]] = {}
    for rec in records:
        labels.setdefault(normalised(rec["text"]), set()).add(rec["intent"])
    firsts: dict[str, dict[str, Any]] = {}
    for rec in records:
        key = normalised(rec["text"])
        if len(labels[key]) > 1:
            out.conflicts.append(f"{rec['id']}: same text labelled {sorted(labels[key])}")
        elif key in firsts:
            out.exact_duplicates.append(f"{rec['id']} repeats {firsts[key]['id']}")
        else:
            firsts[key] = rec
    unique = list(firsts.values())
    near = _near_duplicates(
        [normalised(r["text"]) for r in unique],
        [r["intent"] for r in unique],
        [normalised(text) for text in against],
    )
    for index, rec in enumerate(unique):
        earlier = near.get(index)
        if earlier is None:
            out.kept.append(rec)
        else:
            what = unique[earlier]["id"] if earlier >= 0 else "a training example"
            out.near_duplicates.append(f"{rec['id']} nearly repeats {what}")
    return out


def _near_duplicates(texts: list[str], labels: list[str], against: list[str]) -> dict[int, int]:
    """text index -> the earlier text of the same label it nearly repeats (-1: of ``against``)."""
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer

    if not texts:
        return {}
    matrix = CountVectorizer(analyzer=str.split, binary=True).fit_transform(texts + against)
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    n = len(texts)
    candidates: list[tuple[int, int]] = []
    for start in range(0, n, 256):  # row blocks keep the pairwise counts small
        inter = (matrix[start : start + 256] @ matrix.T).tocoo()
        rows = inter.row + start
        jaccard = inter.data / (sizes[rows] + sizes[inter.col] - inter.data)
        close = (jaccard >= NEAR_DUPLICATE) & (rows != inter.col)
        candidates.extend(zip(rows[close].tolist(), inter.col[close].tolist(), strict=True))
    result: dict[int, int] = {}
    for i, j in sorted(candidates):
        kept_earlier = j < i and j not in result and labels[j] == labels[i]
        if i not in result and (j >= n or kept_earlier):
            result[i] = j if j < n else -1
    return result


def heldout(text: str) -> bool:
    """Whether a text belongs to the held-out split: a stable hash of its normalised form."""
    digest = hashlib.sha256(normalised(text).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < HELDOUT_SHARE


def split(records: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(train, held-out), each ordered by id; ValueError if an intent/language cell has too
    few held-out examples to be measured."""
    train = sorted((r for r in records if not heldout(r["text"])), key=lambda r: r["id"])
    held = sorted((r for r in records if heldout(r["text"])), key=lambda r: r["id"])
    cells = Counter((r["intent"], r["lang"]) for r in held)
    thin = [
        f"{intent}/{lang}"
        for intent in INTENTS
        for lang in sorted(SUPPORTED_LANGUAGES)
        if cells[(intent, lang)] < MIN_HELDOUT_PER_CELL
    ]
    if thin:
        raise ValueError(
            f"held-out split has fewer than {MIN_HELDOUT_PER_CELL} examples for {thin}: "
            "write more examples for those cells"
        )
    return train, held


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """Records as canonical JSON lines (stable key order, UTF-8)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records]
    path.write_text("".join(lines), encoding="utf-8")
