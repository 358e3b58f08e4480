"""The default rules with the shipped intent model on phrasings it was never trained on
(``intent_data``). The floors below are what the shipped model achieves: a worse one fails."""

from __future__ import annotations

from collections import Counter

import pytest
from chorus_router.intent.verdict import INTENTS
from chorus_signals.intent import corpus, shipped_model

from services.router.tests.intent_data import FRESH, MINE, TEAM, decide


@pytest.mark.unit
def test_the_phrasings_are_not_in_the_training_data() -> None:
    trained = {" ".join(e.text.lower().split()) for e in corpus("train")}
    for ex in [*MINE, *FRESH]:
        assert " ".join(ex["text"].lower().split()) not in trained, ex["text"]


@pytest.mark.unit
@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("intent", INTENTS)
def test_each_intent_in_each_language_reaches_its_team_with_the_explanation(
    intent: str, lang: str
) -> None:
    mine = [ex for ex in MINE if (ex["intent"], ex["lang"]) == (intent, lang)]
    assert len(mine) >= 2
    decided = [(ex, decide(ex)) for ex in mine]
    right = [(ex, c) for ex, c in decided if c.team == TEAM[intent]]
    assert right, [(ex["text"], c.team, c.intent) for ex, c in decided]
    for ex, c in decided:
        assert decide(ex, with_model=False).owner_rule == "catch-all", "no keyword helps"
        assert c.intent is not None and c.intent["model_version"] == shipped_model().version
        assert c.intent["supported_language"] is True and c.intent["evidence"]
    if intent != "support":  # a support post reaches support through the catch-all
        assert any(c.owner_rule == f"intent-{intent}" and c.intent and c.intent["decided"]
                   for _ex, c in right)  # fmt: skip


@pytest.mark.unit
def test_own_phrasings_reach_the_right_team_far_more_often_than_by_keywords() -> None:
    right = sum(decide(ex).team == TEAM[ex["intent"]] for ex in MINE)
    by_rules = sum(decide(ex, with_model=False).team == TEAM[ex["intent"]] for ex in MINE)
    assert right >= 17 and by_rules <= 4, (right, by_rules)


@pytest.mark.unit
def test_fresh_phrasings_route_better_and_leave_fewer_legal_or_pr_posts_in_support() -> None:
    def tally(with_model: bool) -> tuple[int, int]:
        right = costly = 0
        for ex in FRESH:
            team = decide(ex, with_model=with_model).team
            right += team == TEAM[ex["intent"]]
            costly += ex["intent"] in ("legal", "pr") and team == "support"
        return right, costly

    right, costly = tally(True)
    right_rules, costly_rules = tally(False)
    assert len(FRESH) == 100
    assert right >= 63 and right - right_rules >= 35, (right, right_rules)
    assert costly <= costly_rules // 2, (costly, costly_rules)


@pytest.mark.unit
def test_a_keyword_rule_wins_over_the_classifier() -> None:
    # A spammer's "retour" is a support keyword: the rule decides, the classifier is not asked.
    ex = {"lang": "fr", "text": "Suivez-moi et je vous suis en retour, 100% garanti 🔥"}
    c = decide(ex)
    assert (c.owner_rule, c.team, c.intent) == ("support-refund", "support", None)
    verdict = shipped_model().classify(ex["text"], "fr")
    assert verdict.intent == "spam", "the classifier alone would have said spam"
    counts = Counter(decide(x).owner_rule for x in MINE)
    assert counts["support-refund"] == 0
