"""Labelled phrasings for the router's intent tests, and the router's decision on one.

``data/intent_phrasings.jsonl``: written for these tests, none matching a default keyword
rule. ``data/intent_fresh.jsonl``: the project's fresh phrasings (a copy of the corpus
writers' ``fresh_*.jsonl``, written apart from the training corpus), with kinds and ratings.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chorus_router.casework.load import LoadWeights
from chorus_router.routing.decision import Classification, classify
from chorus_router.routing.defaults import default_rules
from chorus_router.routing.evaluate import RuleSet
from chorus_signals.intent import shipped_model

from services.router.tests.router_support import make_post

DATA = Path(__file__).resolve().parent / "data"
TEAM = {"legal": "legal", "pr": "pr", "brand": "brand", "support": "support", "spam": "brand"}
RULES = RuleSet(default_rules(), version=1)


def load(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines()]


MINE = load("intent_phrasings.jsonl")
FRESH = load("intent_fresh.jsonl")


def decide(ex: dict[str, Any], *, with_model: bool = True) -> Classification:
    rating = ex.get("rating")
    kind = "review" if rating is not None else (ex.get("kind") or "post")
    post = make_post(ex["text"], lang=ex["lang"], kind=kind, rating=rating,
                     received_at=datetime(2026, 11, 18, 10, tzinfo=UTC))  # fmt: skip
    return classify(
        post,
        RULES,
        weights=LoadWeights(),
        default_team="support",
        classifier=shipped_model() if with_model else None,
    )
