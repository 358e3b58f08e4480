"""The routing accuracy report: right team with and without the classifier, who decided."""

from __future__ import annotations

from typing import Any

import pytest
from chorus_router.intent.evaluation import evaluate

from services.router.tests.intent_fakes import FakeClassifier

EXAMPLES: list[dict[str, Any]] = [
    {"text": "I want a refund", "lang": "en", "intent": "support"},
    {"text": "They sell counterfeit copies, a burn too", "lang": "en", "intent": "legal"},
    {"text": "Nouvel emballage, nouvelle couleur : superbe", "lang": "fr", "intent": "brand"},
    {"text": "Awful", "lang": "en", "intent": "support", "kind": "review", "rating": 1},
]


@pytest.mark.unit
def test_report_counts_right_teams_costly_misses_and_who_decided() -> None:
    alone = evaluate(EXAMPLES, None)
    assert alone["right_team"] == {"all": 0.5, "en": 0.667, "fr": 0.0}
    assert alone["legal_or_pr_left_in_support"] == 1
    assert alone["decided_by"] == {"fallback: wrong": 2, "rule: right": 2}
    with_model = evaluate(EXAMPLES, FakeClassifier())
    assert with_model["right_team"]["all"] == 1.0
    assert with_model["legal_or_pr_left_in_support"] == 0
    assert with_model["decided_by"] == {"intent rule: right": 2, "rule: right": 2}
