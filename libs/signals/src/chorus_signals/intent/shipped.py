"""The model and the labelled corpus that ship inside the package (nothing is downloaded)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Literal

from chorus_signals.intent.model import IntentModel
from chorus_signals.intent.types import Example

MODEL_FILE = "model.json.gz"
SPLIT_FILES = {"train": "train.jsonl", "heldout": "heldout.jsonl"}


def _data() -> resources.abc.Traversable:
    return resources.files("chorus_signals.intent") / "data"


@cache
def shipped_model() -> IntentModel:
    """The packaged model, loaded once per process."""
    return IntentModel.from_bytes((_data() / MODEL_FILE).read_bytes())


def corpus(split: Literal["train", "heldout"]) -> list[Example]:
    """The shipped labelled examples of ``split``, in id order."""
    return [
        Example(text=rec["text"], intent=rec["intent"], lang=rec["lang"], source="corpus")
        for rec in records(split)
    ]


def records(split: Literal["train", "heldout"]) -> list[dict[str, Any]]:
    """The shipped examples of ``split`` with every field the writers gave (id, kind, traits…)."""
    if split not in SPLIT_FILES:
        raise ValueError(f"unknown split {split!r}; expected one of {sorted(SPLIT_FILES)}")
    text = (_data() / SPLIT_FILES[split]).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]
