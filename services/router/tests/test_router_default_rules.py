"""Every default rule, in English and French, with phrasings that are not in its keyword list."""

from __future__ import annotations

import pytest
from chorus_router.routing.defaults import default_rules
from chorus_router.routing.evaluate import RuleSet

from services.router.tests.router_support import make_post

RULES = RuleSet(default_rules(), version=1)

# (rule id, owner team, language, text) — inflected or reworded, never the keyword itself.
KEYWORD_CASES = [
    ("legal-litigation", "legal", "en", "My lawyers will be contacting you about this."),
    ("legal-litigation", "legal", "en", "We are taking you to court over this"),
    ("legal-litigation", "legal", "fr", "Mes avocats vont vous contacter très vite."),
    ("legal-litigation", "legal", "fr", "Je vais vous poursuivre devant les tribunaux"),
    ("legal-authorities", "legal", "en", "I've reported you to the consumer protection people"),
    ("legal-authorities", "legal", "fr", "J'ai déposé un signalement à la Dgccrf"),
    ("legal-defamation", "legal", "en", "Your ad defames my small business"),
    ("legal-defamation", "legal", "fr", "Ces propos sont diffamatoires et faux"),
    (
        "legal-personal-data",
        "legal",
        "en",
        "Under GDPR please erase all the personal data you hold",
    ),
    ("legal-personal-data", "legal", "fr", "Supprimez mes données personnelles, merci (RGPD)"),
    ("pr-press", "pr", "en", "I'm one of the journalists covering your recall, any comment?"),
    ("pr-press", "pr", "fr", "Journalistes au Monde, nous préparons un article sur le rappel"),
    ("pr-boycott", "pr", "en", "Everyone is boycotting this brand from today"),
    ("pr-boycott", "pr", "fr", "Boycottez cette marque immédiatement"),
    ("pr-scandal", "pr", "en", "What a scandalous way to treat staff"),
    ("pr-scandal", "pr", "fr", "C'est un scandale absolu, quelle honte"),
    ("support-refund", "support", "en", "Still no money back after I returned the jacket"),
    ("support-refund", "support", "fr", "Remboursez-moi immédiatement"),
    ("support-delivery", "support", "en", "The parcel was never delivered"),
    ("support-delivery", "support", "fr", "Mon colis n'a toujours pas été livré"),
    ("support-order", "support", "en", "I ordered two shirts last week"),
    ("support-order", "support", "fr", "J'ai commandé deux chemises"),
    ("support-account", "support", "en", "I'm locked out, my passwords don't work"),
    ("support-account", "support", "fr", "Impossible de me connecter à mon compte"),
    ("brand-ideas", "brand", "en", "Here are a few ideas: a dark mode would improve the app"),
    ("brand-ideas", "brand", "fr", "Petite suggestion : vous devriez ajouter un mode sombre"),
    ("brand-praise", "brand", "en", "Loved the new flavour, you guys are amazing"),
    ("brand-praise", "brand", "fr", "J'adore votre nouveau parfum, bravo"),
    ("spam", "brand", "en", "Free followers!!! Click HERE"),
    ("spam", "brand", "fr", "Gagnez un iPhone, cliquez ici"),
    ("trolls", "brand", "en", "you are all idiots"),
    ("trolls", "brand", "fr", "bande de bouffons"),
]


@pytest.mark.unit
@pytest.mark.parametrize(("rule", "team", "lang", "text"), KEYWORD_CASES)
def test_default_rule_matches_reworded_post(rule: str, team: str, lang: str, text: str) -> None:
    out = RULES.evaluate(make_post(text, lang=lang))
    assert rule in [m.id for m in out.matched], (text, [m.id for m in out.matched])
    assert out.team == team


@pytest.mark.unit
def test_every_default_rule_is_exercised_in_both_languages() -> None:
    keyword_rules = {r.id for r in default_rules() if r.when.keywords}
    for lang in ("en", "fr"):
        covered = {rule for rule, _t, lg, _x in KEYWORD_CASES if lg == lang}
        assert keyword_rules <= covered, keyword_rules - covered


@pytest.mark.unit
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_influencer_goes_to_pr(lang: str) -> None:
    text = {"en": "Just tried the new range", "fr": "Je viens d'essayer la gamme"}[lang]
    out = RULES.evaluate(make_post(text, lang=lang, followers=250_000))
    assert out.team == "pr"
    assert "influencer" in out.tags


@pytest.mark.unit
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_negative_viral_post_is_p1_for_pr(lang: str) -> None:
    text = {"en": "This is going around everywhere", "fr": "Ça tourne partout"}[lang]
    out = RULES.evaluate(make_post(text, lang=lang, sentiment="negative", likes=900, shares=400))
    assert (out.team, out.priority) == ("pr", "P1")
    calm = RULES.evaluate(make_post(text, lang=lang, sentiment="neutral", likes=900, shares=400))
    assert "pr-viral-negative" in [n.id for n in calm.near_misses]


@pytest.mark.unit
def test_huge_audience_goes_to_pr() -> None:
    out = RULES.evaluate(make_post("Nouvelle vidéo en ligne", lang="fr", views=2_000_000))
    assert out.owner_rule == "pr-viral-views"


@pytest.mark.unit
@pytest.mark.parametrize(("rating", "team"), [(1, "support"), (2, "support"), (5, "brand")])
def test_reviews_route_by_rating(rating: int, team: str) -> None:
    out = RULES.evaluate(
        make_post("Avis", lang="fr", kind="review", platform="google_business", rating=rating)
    )
    assert out.team == team


@pytest.mark.unit
def test_unmatched_post_falls_back_to_support() -> None:
    out = RULES.evaluate(make_post("Just saw your billboard on the highway"))
    assert out.owner_rule == "catch-all"
    assert out.team == "support"


@pytest.mark.unit
def test_multi_team_case_has_one_owner_and_collaborators() -> None:
    text = "My lawyer says your refund delay is illegal and I will tell every journalist I know"
    out = RULES.evaluate(make_post(text))
    assert out.team == "legal"
    assert set(out.collaborators) == {"support", "pr"}
    assert out.priority == "P1"
    assert {"legal", "pr"} <= set(out.approvals)


@pytest.mark.unit
def test_spam_is_low_priority_and_never_alone() -> None:
    out = RULES.evaluate(make_post("crypto giveaway, dm me"))
    assert (out.priority, out.never_alone) == ("P4", True)


@pytest.mark.unit
def test_troll_words_inside_a_real_complaint_do_not_make_it_a_troll() -> None:
    out = RULES.evaluate(make_post("Stupid delivery company lost my order"))
    assert out.team == "support"
    assert "trolls" not in [m.id for m in out.matched]
    assert not out.never_alone


@pytest.mark.unit
def test_match_is_explained_with_the_phrase_that_matched() -> None:
    out = RULES.evaluate(make_post("I want a refund"))
    hit = next(m for m in out.matched if m.id == "support-refund")
    assert any("'refund'" in w for w in hit.why)
