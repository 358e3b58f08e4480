"""Importing the writers' corpus: every line validated, repeats dropped, a stable hash split."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from chorus_signals.intent import INTENTS, importer
from chorus_signals.intent.build import run_import

pytestmark = pytest.mark.unit


def _record(rid: str, text: str, intent: str = "brand", lang: str = "en") -> dict[str, object]:
    return {
        "id": rid,
        "lang": lang,
        "intent": intent,
        "kind": "post",
        "rating": None,
        "traits": [],
        "text": text,
    }


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"lang": "de"}, "lang"),
        ({"intent": "sales"}, "intent"),
        ({"text": "   "}, "text"),
        ({"kind": "tweet"}, "kind"),
        ({"rating": 6}, "rating"),
        ({"rating": True}, "rating"),
        ({"traits": ["funny"]}, "traits"),
        ({"id": "has space"}, "id"),
    ],
)
def test_invalid_records_are_named_with_the_reason(change: dict[str, object], reason: str) -> None:
    assert importer.validate(_record("en-brand-0001", "nice") | change) is not None
    assert reason in (importer.validate(_record("en-brand-0001", "nice") | change) or "")
    assert importer.validate(_record("en-brand-0001", "nice")) is None


def test_exact_and_near_repeats_are_dropped_and_conflicts_removed() -> None:
    records = [
        _record("a1", "The new bottle design is gorgeous, love the matte green colour"),
        _record("a2", "the new bottle design is GORGEOUS — love the matte green colour!"),
        _record("a3", "The new bottle design is gorgeous, love the matte green color"),
        _record("b1", "where is my parcel", intent="support"),
        _record("b2", "Where is my parcel?", intent="legal"),
        _record("c1", "Totally different post about a refund for a broken kettle", "support"),
    ]
    result = importer.deduplicate(records)
    assert [r["id"] for r in result.kept] == ["a1", "c1"]
    assert result.exact_duplicates == ["a2 repeats a1"]
    assert result.near_duplicates == ["a3 nearly repeats a1"]
    assert len(result.conflicts) == 2


def test_near_repeats_under_different_labels_are_both_kept() -> None:
    records = [
        _record("s1", "Lost money to a scam? Our recovery lawyers get refunds, DM now", "spam"),
        _record("l1", "Lost money to a scam? Our recovery lawyers get refunds, DM us now", "legal"),
        _record(
            "s2", "Lost money to a scam? Our recovery lawyers get your refunds, DM now", "spam"
        ),
    ]
    result = importer.deduplicate(records)
    assert [r["id"] for r in result.kept] == ["s1", "l1"]
    assert result.near_duplicates == ["s2 nearly repeats s1"]


def test_split_is_stable_and_keeps_every_example_once() -> None:
    records = [
        _record(f"{i}-{lang}-{n}", f"post number {n} about {i} in {lang}", i, lang)
        for i in INTENTS
        for lang in ("en", "fr")
        for n in range(60)
    ]
    train, held = importer.split(records)
    assert len(train) + len(held) == len(records)
    assert 0.1 < len(held) / len(records) < 0.3
    again_train, again_held = importer.split(list(reversed(records)))
    assert (again_train, again_held) == (train, held)
    assert all(importer.heldout(r["text"]) for r in held)


def test_split_refuses_a_cell_without_held_out_examples() -> None:
    records = [_record(f"x{n}", f"post {n}", "brand") for n in range(40)]
    with pytest.raises(ValueError, match="legal/en"):
        importer.split(records)


def test_import_command_writes_splits_and_test_data(tmp_path: Path) -> None:
    source = tmp_path / "corpus"
    source.mkdir()
    vocabulary = [f"w{k}" for k in range(500)]
    pick = random.Random(1).sample
    lines = [
        _record(f"{lang}-{i}-{n:04d}", " ".join(pick(vocabulary, 8)), i, lang)
        for i in INTENTS
        for lang in ("en", "fr")
        for n in range(60)
    ]
    (source / "main.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    fresh = [_record("en-fresh-1", "a haiku about tea / steam rising / brand love")]
    (source / "fresh_en.jsonl").write_text(json.dumps(fresh[0]) + "\n")
    (source / "GUIDE.md").write_text("# guide\n")
    data, fresh_to = tmp_path / "data", tmp_path / "tests" / "fresh.jsonl"
    assert run_import(source, data=data, fresh_to=fresh_to) == 0
    train = (data / "train.jsonl").read_text().splitlines()
    held = (data / "heldout.jsonl").read_text().splitlines()
    assert len(train) + len(held) == len(lines)
    assert [json.loads(x)["id"] for x in fresh_to.read_text().splitlines()] == ["en-fresh-1"]
    assert (data / "GUIDE.md").read_text() == "# guide\n"


def test_import_command_refuses_invalid_lines_unless_told(tmp_path: Path) -> None:
    source = tmp_path / "corpus"
    source.mkdir()
    (source / "main.jsonl").write_text('{"id": "x"}\nnot json\n')
    data = tmp_path / "data"
    assert run_import(source, data=data, fresh_to=tmp_path / "f.jsonl") == 1
    assert not data.exists()
