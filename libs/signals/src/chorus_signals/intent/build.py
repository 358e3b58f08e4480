"""Maintainer commands: import the writers' corpus into the package, retrain the shipped model.

python -m chorus_signals.intent.build import /path/to/corpus   # data/*.jsonl + test data
python -m chorus_signals.intent.build train                    # data/model.json.gz
python -m chorus_signals.intent.build all /path/to/corpus      # both
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from chorus_signals.intent import importer, training
from chorus_signals.intent.features import FEATURES
from chorus_signals.intent.shipped import MODEL_FILE, SPLIT_FILES, corpus
from chorus_signals.intent.training import corpus_digest, train
from chorus_signals.intent.types import Example

DATA = Path(__file__).with_name("data")
# The unseen phrasings are test data: they live beside the tests, never in the package.
FRESH = Path(__file__).resolve().parents[3] / "tests" / "data" / "intent_fresh.jsonl"


def run_import(
    source: Path, *, allow_invalid: bool = False, data: Path = DATA, fresh_to: Path = FRESH
) -> int:
    """Validate, de-duplicate and split ``source``'s *.jsonl into ``data`` (the package's)."""
    main_files = sorted(p for p in source.glob("*.jsonl") if not p.name.startswith("fresh_"))
    fresh_files = sorted(source.glob("fresh_*.jsonl"))
    if not main_files:
        print(f"no *.jsonl corpus files in {source}", file=sys.stderr)
        return 2
    records, invalid = importer.read(main_files)
    fresh_records, fresh_invalid = importer.read(fresh_files)
    for line in invalid + fresh_invalid:
        print(f"invalid: {line}", file=sys.stderr)
    if (invalid or fresh_invalid) and not allow_invalid:
        print("nothing written: fix the lines above or pass --allow-invalid", file=sys.stderr)
        return 1
    result = importer.deduplicate(records)
    try:
        train_records, held_records = importer.split(result.kept)
    except ValueError as exc:
        print(f"nothing written: {exc}", file=sys.stderr)
        return 1
    fresh = importer.deduplicate(fresh_records, against=[r["text"] for r in result.kept])
    importer.write_jsonl(data / SPLIT_FILES["train"], train_records)
    importer.write_jsonl(data / SPLIT_FILES["heldout"], held_records)
    importer.write_jsonl(fresh_to, sorted(fresh.kept, key=lambda r: r["id"]))
    guide = source / "GUIDE.md"
    if guide.exists():
        shutil.copyfile(guide, data / "GUIDE.md")
    for what, items in (
        ("exact duplicate", result.exact_duplicates),
        ("near duplicate", result.near_duplicates),
        ("conflicting labels", result.conflicts),
        ("fresh example dropped", fresh.exact_duplicates + fresh.near_duplicates),
        ("fresh conflicting labels", fresh.conflicts),
    ):
        for item in items:
            print(f"{what}: {item}")
    cells = Counter((r["intent"], r["lang"]) for r in result.kept)
    print(
        f"read {len(records)} examples from {len(main_files)} files; kept {len(result.kept)} "
        f"(train {len(train_records)}, held-out {len(held_records)}); dropped "
        f"{len(result.exact_duplicates)} exact and {len(result.near_duplicates)} near "
        f"duplicates, {len(result.conflicts)} with conflicting labels, {len(invalid)} invalid"
    )
    print(
        "per intent/language: " + ", ".join(f"{i}/{lg} {n}" for (i, lg), n in sorted(cells.items()))
    )
    print(f"fresh (test-only) examples: {len(fresh.kept)} of {len(fresh_records)} -> {fresh_to}")
    return 0


def shipped_version(examples: list[Example], seed: int) -> str:
    """'base-' and a digest of what makes the model: the examples and every training setting."""
    what = [corpus_digest(examples), FEATURES, training.C, training.CLASS_WEIGHT, training.FOLDS]
    what += [training.PRUNE_BELOW, training.DECIMALS, seed]
    return "base-" + hashlib.sha256(json.dumps(what).encode()).hexdigest()[:8]


def run_train(seed: int = 0) -> int:
    """Retrain data/model.json.gz from data/train.jsonl."""
    examples = corpus("train")
    stamp = os.environ.get("SOURCE_DATE_EPOCH")
    trained_at = datetime.fromtimestamp(int(stamp), UTC) if stamp else datetime.now(UTC)
    started = time.perf_counter()
    model = train(
        examples, version=shipped_version(examples, seed), seed=seed, trained_at=trained_at
    )
    data = model.to_bytes()
    path = DATA / MODEL_FILE
    # The same model trained again differs only in trained_at: keep the shipped file as it is.
    same = path.exists() and _content(path.read_bytes()) == _content(data)
    if not same:
        path.write_bytes(data)
    print(
        f"trained {model.version} on {len(examples)} examples in "
        f"{time.perf_counter() - started:.1f} s: {model.metadata['terms']} terms, "
        f"temperature {model.metadata['temperature']}, {len(data) / 1024:.0f} KiB"
        + (" (same as the shipped model: file kept)" if same else "")
    )
    return 0


def _content(data: bytes) -> object:
    doc = json.loads(gzip.decompress(data))
    doc["metadata"].pop("trained_at", None)
    return doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chorus_signals.intent.build")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("import", "all"):
        sub = commands.add_parser(name, help=f"{name}: read the writers' corpus directory")
        sub.add_argument("source", type=Path)
        sub.add_argument("--allow-invalid", action="store_true", help="skip invalid lines")
        sub.add_argument("--seed", type=int, default=0)
    commands.add_parser("train", help="retrain the shipped model").add_argument(
        "--seed", type=int, default=0
    )
    args = parser.parse_args(argv)
    if args.command in ("import", "all"):
        status = run_import(args.source, allow_invalid=args.allow_invalid)
        if status or args.command == "import":
            return status
    return run_train(args.seed)


if __name__ == "__main__":
    sys.exit(main())
