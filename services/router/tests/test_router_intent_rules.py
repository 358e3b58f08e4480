"""Rules that require an intent: validation, evaluation after the other rules, near misses,
the classifier asked at most once per post and only when a rule needs it, the record."""

from __future__ import annotations

from typing import Any

import pytest
from chorus_router.casework.load import LoadWeights
from chorus_router.routing.decision import classify, record
from chorus_router.routing.evaluate import RuleSet
from chorus_router.routing.rules import Rule
from pydantic import ValidationError

from services.router.tests.intent_fakes import FakeClassifier
from services.router.tests.router_support import make_post


def _rule(id_: str, when: dict[str, Any], team: str, **then: Any) -> Rule:
    return Rule.model_validate(
        {"id": id_, "name": id_, "when": when, "then": {"team": team, **then}}
    )


RULES = [
    _rule("refund", {"keywords": ["refund"]}, "support", priority="P2"),
    _rule("legal-sure", {"intent": "legal", "min_confidence": 0.7}, "legal", priority="P1"),
    _rule("pr-or-brand", {"intent": ["pr", "brand"]}, "pr"),
    _rule("catch-all", {}, "support", fallback=True, tags=["untriaged"]),
]


def _classify(text: str, clf: FakeClassifier | None, lang: str = "en", **kw: Any) -> Any:
    return classify(
        make_post(text, lang=lang),
        RuleSet(RULES, version=3),
        weights=LoadWeights(),
        default_team="support",
        classifier=clf,
        **kw,
    )


@pytest.mark.unit
def test_intent_may_be_one_name_or_a_list_and_min_confidence_needs_an_intent() -> None:
    assert _rule("a", {"intent": "legal"}, "legal").when.intent == ("legal",)
    assert _rule("b", {"intent": ["pr", "spam"]}, "pr").when.intent == ("pr", "spam")
    with pytest.raises(ValidationError, match="min_confidence needs intent"):
        _rule("c", {"min_confidence": 0.5}, "legal")
    with pytest.raises(ValidationError, match="'legal', 'pr', 'brand', 'support' or 'spam'"):
        _rule("d", {"intent": "lawsuit"}, "legal")
    with pytest.raises(ValidationError, match="less than or equal to 1"):
        _rule("e", {"intent": "legal", "min_confidence": 1.5}, "legal")


@pytest.mark.unit
def test_rule_on_intent_matches_when_confident_enough() -> None:
    clf = FakeClassifier()
    c = _classify("They sell counterfeit copies, a burn on my arm too", clf)  # 2 votes: 0.85
    assert (c.team, c.priority, c.owner_rule) == ("legal", "P1", "legal-sure")
    assert c.matched[0]["why"] == ("intent=legal", "min_confidence=0.85")
    assert c.intent is not None
    assert c.intent["intent"] == "legal" and c.intent["decided"] is True
    assert [e["term"] for e in c.intent["evidence"]] == ["counterfeit", "burn"]
    assert c.intent["model_version"] == "fake-1"


@pytest.mark.unit
def test_intent_that_missed_on_confidence_is_a_near_miss_with_the_reason() -> None:
    c = _classify("This looks counterfeit to me", FakeClassifier())  # 1 vote: 0.65
    assert c.owner_rule == "catch-all" and c.team == "support"
    assert {"rule": "legal-sure", "name": "legal-sure",
            "missed": "intent: legal confidence 0.65 < 0.70"} in c.near_misses  # fmt: skip
    assert c.intent is not None and c.intent["decided"] is False


@pytest.mark.unit
def test_a_list_of_intents_matches_any_of_them() -> None:
    c = _classify("Love the new packaging", FakeClassifier())
    assert c.owner_rule == "pr-or-brand"
    c = _classify("I'm with the business desk of a big outlet", FakeClassifier())
    assert c.owner_rule == "pr-or-brand"


@pytest.mark.unit
def test_keyword_rule_overrides_the_classifier_which_is_not_even_asked() -> None:
    clf = FakeClassifier()
    c = _classify("Counterfeit and a burn: I want a refund", clf)
    assert (c.team, c.owner_rule) == ("support", "refund")
    assert [m["rule"] for m in c.matched] == ["refund"]
    assert clf.calls == 0 and c.intent is None
    assert "intent not needed: a rule without an intent condition matched" in c.notes


@pytest.mark.unit
def test_simulation_shows_the_intent_even_when_a_rule_decided() -> None:
    clf = FakeClassifier()
    c = _classify("Counterfeit and a burn: I want a refund", clf, explain_intent=True)
    assert c.owner_rule == "refund"
    assert c.intent is not None and c.intent["intent"] == "legal"
    assert c.intent["decided"] is False
    assert clf.calls == 1


@pytest.mark.unit
def test_the_classifier_runs_once_per_post_whatever_the_number_of_intent_rules() -> None:
    clf = FakeClassifier()
    _classify("nothing anyone listed here", clf)
    assert clf.calls == 1


@pytest.mark.unit
def test_unsupported_language_falls_back_and_says_why() -> None:
    c = _classify("Das ist eine Fälschung, counterfeit burn", FakeClassifier(), lang="de")
    assert c.owner_rule == "catch-all"
    assert any("language de is not one the intent classifier knows" in n for n in c.notes)


@pytest.mark.unit
def test_without_a_classifier_intent_rules_never_match() -> None:
    c = _classify("They sell counterfeit copies, a burn on my arm too", None)
    assert c.owner_rule == "catch-all" and c.intent is None
    assert any("intent classification is off" in n for n in c.notes)


@pytest.mark.unit
def test_decision_record_carries_the_intent_section() -> None:
    c = _classify("They sell counterfeit copies, a burn on my arm too", FakeClassifier())
    rec = record(c, None, make_post().received_at)
    intent = rec["intent"]
    assert set(intent) == {"intent", "confidence", "model_version", "supported_language",
                           "decided", "evidence", "probabilities"}  # fmt: skip
    assert intent["confidence"] == pytest.approx(0.85)
    assert sum(intent["probabilities"].values()) == pytest.approx(1.0)
    assert intent["evidence"][0] == {"term": "counterfeit", "weight": 1.0}
