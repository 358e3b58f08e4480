"""Fairness: 1,000 posts to a 5-person team, equal and unequal capacities, nobody over capacity.

"Load follows capacity" means: over the run, the share of cases each member received is
their share of the team's capacity (capacity_i / Σ capacity), within 10 %. That holds for a
team that is actually loaded: either capacities large enough that nothing is resolved
during the run, or small capacities with cases resolved as the run goes (oldest first, and
whenever the team is full). With a nearly idle team (a handful of open cases against large
capacities) everyone is "free" and cases simply rotate.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime

import pytest
from chorus_common.contracts.events import Post
from chorus_router.casework.load import LoadBook, LoadWeights
from chorus_router.directory.roster import Directory, Team, member_from_row
from chorus_router.routing.decision import assign, classify
from chorus_router.routing.defaults import default_rules
from chorus_router.routing.evaluate import RuleSet

from services.router.tests.router_support import make_post, member_row

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
RULES = RuleSet(default_rules(), 1)
TEXTS = [
    ("Where is my refund?", "en"),
    ("My parcel never arrived", "en"),
    ("I can't log into my account", "en"),
    ("J'ai commandé deux chemises", "fr"),
    ("Remboursez-moi svp", "fr"),
    ("Mon colis est en retard", "fr"),
]


def _posts(n: int, seed: int) -> list[Post]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        text, lang = rng.choice(TEXTS)
        kind = rng.choice(["post", "comment", "dm", "review"])
        rating = rng.choice([1, 2]) if kind == "review" else None
        out.append(make_post(text, lang=lang, kind=kind, rating=rating))
    return out


def _route(capacities: list[int], n: int, *, resolve_at: float | None, seed: int = 7):
    members = [member_row(f"m{i}", capacity=c) for i, c in enumerate(capacities)]
    d = Directory.of([Team("support", "Support")], [member_from_row(r) for r in members])
    cap = {m["id"]: m["capacity"] for m in members}
    book = LoadBook()
    rng = random.Random(seed)
    open_cases: list[tuple[str, float]] = []
    assigned: Counter[str] = Counter()
    weights = LoadWeights()
    for post in _posts(n, seed):
        c = classify(post, RULES, weights=weights, default_team="support")
        assert c.team == "support"
        choice = assign(c, d, book, NOW)
        if choice.member is None:
            # Team full: the oldest open case gets resolved first, then retry.
            m, w = open_cases.pop(0)
            book.remove(m, w, solid=True)
            choice = assign(c, d, book, NOW)
        assert choice.member is not None
        assigned[choice.member] += 1
        open_cases.append((choice.member, c.weight))
        for member, load in book.loads.items():
            assert load.open_cases <= cap[member], f"{member} over capacity"
        if resolve_at is not None and rng.random() < resolve_at and open_cases:
            m, w = open_cases.pop(0)
            book.remove(m, w, solid=True)
    return assigned


@pytest.mark.unit
@pytest.mark.parametrize(("capacity", "resolve_at"), [(2000, None), (25, 0.5)])
def test_equal_capacities_spread_cases_within_ten_percent(
    capacity: int, resolve_at: float | None
) -> None:
    assigned = _route([capacity] * 5, 1000, resolve_at=resolve_at)
    counts = [assigned[f"m{i}"] for i in range(5)]
    assert sum(counts) == 1000
    assert max(counts) <= 1.10 * min(counts), counts


@pytest.mark.unit
@pytest.mark.parametrize(("scale", "resolve_at"), [(100, None), (2, 0.5)])
def test_unequal_capacities_spread_cases_in_proportion(
    scale: int, resolve_at: float | None
) -> None:
    caps = [c * scale for c in (5, 10, 10, 15, 20)]
    assigned = _route(caps, 1000, resolve_at=resolve_at)
    total = sum(caps)
    for i, cap in enumerate(caps):
        expected = 1000 * cap / total
        assert abs(assigned[f"m{i}"] - expected) <= 0.10 * expected, (assigned, caps)
