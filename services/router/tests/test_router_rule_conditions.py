"""Every rule condition is described once (routing/conditions/): the rule schema, the compiled
checks, a match's reasons and the routing doc list each of them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from chorus_router.routing.conditions import CONDITIONS, When
from chorus_router.routing.evaluate import RuleSet
from chorus_router.routing.rules import Rule

from services.router.tests.intent_fakes import FakeClassifier
from services.router.tests.router_support import make_post

DOC = Path(__file__).resolve().parents[3] / "docs" / "router.md"
FIELDS = [c.field for c in CONDITIONS]
EVERY: dict[str, Any] = {
    "platforms": ["x"],
    "kinds": ["post"],
    "languages": ["en"],
    "channels": ["@brand"],
    "authors": ["@fan"],
    "keywords": ["counterfeit"],
    "exclude": ["coupon"],
    "sentiment": {"labels": ["negative"]},
    "rating": {"max": 2},
    "followers": {"min": 100},
    "verified": True,
    "engagement": {"min": 5},
    "views": {"min": 10},
    "personal_data": False,
    "hours": {"start": "00:00", "end": "24:00"},
    "intent": "legal",
    "min_confidence": 0.8,
}


def _post_matching_every_condition() -> Any:
    post = make_post(
        "counterfeit, and a burn on my arm",  # two legal votes: 0.85
        sentiment="negative",
        rating=1,
        followers=120,
        verified=True,
        likes=5,
        views=10,
        received_at=datetime(2026, 1, 5, 12, 0, tzinfo=UTC),
    )
    return post.model_copy(update={"author": post.author.model_copy(update={"handle": "fan"})})


@pytest.mark.unit
def test_every_when_field_is_given_by_exactly_one_condition() -> None:
    assert sorted(FIELDS) == sorted(When.model_fields)
    assert len(set(FIELDS)) == len(FIELDS)
    assert len({c.name for c in CONDITIONS}) == len(CONDITIONS)
    assert set(Rule.model_json_schema()["$defs"]["When"]["properties"]) == set(FIELDS)


@pytest.mark.unit
def test_a_rule_giving_every_condition_is_checked_and_explained_on_each() -> None:
    assert sorted(EVERY) == sorted(FIELDS)
    rule = Rule.model_validate({"id": "all", "name": "all", "when": EVERY, "then": {"team": "t"}})
    rules = RuleSet([rule])
    assert [name for name, _check in rules.compiled[0].checks] == [c.name for c in CONDITIONS]
    out = rules.evaluate(_post_matching_every_condition(), classifier=FakeClassifier())
    assert out.owner_rule == "all", out.near_misses
    shown = [c.name for c in CONDITIONS if c.explain is not None]
    why = out.matched[0].why
    assert [w.split("=")[0].split(":")[0] for w in why] == shown
    assert why[0] == "keywords: 'counterfeit'"
    assert "followers=120" in why and "min_confidence=0.85" in why


@pytest.mark.unit
@pytest.mark.parametrize("field", FIELDS)
def test_each_condition_failing_alone_is_a_near_miss_named_after_it(field: str) -> None:
    wrong: dict[str, Any] = {
        "platforms": ["reddit"],
        "kinds": ["review"],
        "languages": ["fr"],
        "channels": ["@other"],
        "authors": ["@someone"],
        "keywords": ["lawsuit"],
        "exclude": ["burn"],
        "sentiment": {"labels": ["positive"]},
        "rating": {"min": 4},
        "followers": {"min": 1000},
        "verified": False,
        "engagement": {"min": 50},
        "views": {"min": 1000},
        "personal_data": True,
        "hours": {"start": "13:00", "end": "14:00"},
        "intent": "spam",
        "min_confidence": 0.9,
    }
    when = {**EVERY, field: wrong[field]}
    if field == "intent":  # a wrong intent fails min_confidence too: two misses, no near miss
        del when["min_confidence"]
    rule = Rule.model_validate({"id": "all", "name": "all", "when": when, "then": {"team": "t"}})
    out = RuleSet([rule]).evaluate(_post_matching_every_condition(), classifier=FakeClassifier())
    assert out.owner_rule is None
    assert [m.missed.split(":")[0] for m in out.near_misses] == [_reason_name(field)]


def _reason_name(field: str) -> str:
    names = {c.field: c.name for c in CONDITIONS}
    return "intent" if field == "min_confidence" else names[field]


@pytest.mark.unit
def test_the_routing_doc_names_every_condition() -> None:
    rules_section = DOC.read_text().split("## Rules", 1)[1].split("\n## ", 1)[0]
    missing = [f for f in FIELDS if f'"{f}"' not in rules_section]
    assert missing == []
