"""How often the default rules send a post to the right team, with and without the intent
classifier, on labelled posts (the corpus's held-out split, or JSON Lines files).

``uv run python -m chorus_router.intent.evaluation [file.jsonl …]``: each line ``{"text", "lang",
"intent"}`` and optionally ``"kind"`` and ``"rating"`` (without files: the held-out split as
``chorus_signals.intent.corpus`` gives it, without kinds and ratings). The right team of an intent is the
default directory's (spam belongs to brand). Prints overall and per-language figures, the
legal or PR posts left in support (the costliest mistake), and who decided: a rule without
an intent, an intent rule or the fallback, with how many of each were right.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chorus_common.contracts.events import Author, Post

from chorus_router.intent.verdict import Classifier
from chorus_router.routing.defaults import default_rules
from chorus_router.routing.evaluate import RuleSet

TEAM = {"legal": "legal", "pr": "pr", "brand": "brand", "support": "support", "spam": "brand"}


def _post(i: int, ex: dict[str, Any]) -> Post:
    rating = ex.get("rating")
    now = datetime(2026, 11, 18, 10, tzinfo=UTC)
    return Post(id=f"x:{i}", platform="x", channel="@brand", native_id=str(i),
                kind="review" if rating is not None else ex.get("kind") or "post",
                rating=rating, thread_id=f"x:{i}", author=Author(id=f"a{i}", followers=120),
                text=ex["text"], lang=ex["lang"], created_at=now, received_at=now)  # fmt: skip


def evaluate(examples: Sequence[dict[str, Any]], classifier: Classifier | None) -> dict[str, Any]:
    """Right team overall and per language, costly misses, and who decided."""
    rules = RuleSet(default_rules(), version=1)
    fallbacks = {r.id for r in rules.rules if r.then.fallback}
    right: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    by: Counter[str] = Counter()
    costly = 0
    for i, ex in enumerate(examples):
        out = rules.evaluate(_post(i, ex), classifier=classifier)
        ok = (out.team or "support") == TEAM[ex["intent"]]
        who = "rule"
        if out.by_intent:
            who = "intent rule"
        elif out.owner_rule in fallbacks:
            who = "fallback"
        for key in ("all", ex["lang"]):
            seen[key] += 1
            right[key] += ok
        by[f"{who}: {'right' if ok else 'wrong'}"] += 1
        costly += ex["intent"] in ("legal", "pr") and out.team == "support"
    return {
        "posts": seen["all"],
        "right_team": {k: round(right[k] / seen[k], 3) for k in sorted(seen)},
        "legal_or_pr_left_in_support": costly,
        "decided_by": dict(sorted(by.items())),
    }


def load(paths: Iterable[Path]) -> list[dict[str, Any]]:
    out = []
    for path in paths:
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return out


def main(argv: Sequence[str]) -> None:
    from chorus_signals.intent import corpus, shipped_model

    if argv:
        examples = load(Path(a) for a in argv)
    else:
        examples = [{"text": e.text, "lang": e.lang, "intent": e.intent}
                    for e in corpus("heldout")]  # fmt: skip
    model = shipped_model()
    for name, clf in (("rules alone", None), (f"rules + intent ({model.version})", model)):
        print(f"{name}: {json.dumps(evaluate(examples, clf), ensure_ascii=False)}")


if __name__ == "__main__":
    main(sys.argv[1:])
