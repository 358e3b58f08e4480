"""The default rule set (English and French), installed as version 1 on first start.

Keyword and signal rules first; then one rule per intent the classifier reads, for what no
keyword caught (same team, priority, SLA and approvals as that intent's keyword rules; they
apply only when no rule above matched); then the catch-all.
"""

from __future__ import annotations

from typing import Any

from chorus_router.routing.default_intents import INTENT_RULES
from chorus_router.routing.rules import Rule

INFLUENCER_FOLLOWERS = 50_000

_RAW: list[dict[str, Any]] = [
    # ---------------------------------------------------------------- legal exposure
    {
        "id": "legal-litigation",
        "name": "Threat of legal action",
        "when": {
            "keywords": [
                "lawsuit", "sue", "sued", "suing", "lawyer", "attorney", "solicitor",
                "legal action", "take * to court", "see you in court", "class action",
                "court", "litigation",
                "avocat", "procès", "proces", "tribunal", "justice", "action en justice",
                "poursuite", "poursuivre", "mise en demeure", "assigner", "huissier",
            ]
        },
        "then": {"team": "legal", "priority": "P1", "sla_minutes": 60,
                 "tags": ["legal-threat"], "approvals": ["legal"], "skills": ["legal"]},
    },
    {
        "id": "legal-authorities",
        "name": "Complaint to the authorities",
        "when": {
            "keywords": [
                "consumer protection", "regulator", "ombudsman", "trading standards",
                "authorities", "report you to", "better business bureau", "ftc", "police",
                "formal complaint", "official complaint",
                "dgccrf", "répression des fraudes", "autorités", "autorite", "médiateur",
                "association de consommateurs", "signalement", "gendarmerie", "porter plainte",
                "plainte officielle",
            ]
        },
        "then": {"team": "legal", "priority": "P1", "sla_minutes": 120,
                 "tags": ["authorities"], "approvals": ["legal"], "skills": ["legal"]},
    },
    {
        "id": "legal-defamation",
        "name": "Defamation",
        "when": {
            "keywords": [
                "defamation", "defamatory", "defame", "libel", "libelous", "slander",
                "diffamation", "diffamatoire", "diffamer", "calomnie", "dénigrement",
            ]
        },
        "then": {"team": "legal", "priority": "P1", "sla_minutes": 120,
                 "tags": ["defamation"], "approvals": ["legal", "pr"], "skills": ["legal"]},
    },
    {
        "id": "legal-personal-data",
        "name": "Personal data / GDPR request",
        "when": {
            "keywords": [
                "gdpr", "personal data", "my data", "data protection", "right to be forgotten",
                "subject access request", "erase my data", "delete my data", "privacy",
                "rgpd", "données personnelles", "mes données", "protection des données",
                "droit à l'oubli", "cnil", "vie privée",
            ]
        },
        "then": {"team": "legal", "priority": "P2", "sla_minutes": 1440,
                 "tags": ["personal-data"], "approvals": ["legal"], "skills": ["gdpr"]},
    },
    # ---------------------------------------------------------------- PR risk
    {
        "id": "pr-press",
        "name": "Journalist or press enquiry",
        "when": {
            "keywords": [
                "journalist", "press office", "press enquiry", "press inquiry", "newsroom",
                "editor", "for an article", "for a story", "media enquiry", "on the record",
                "comment for", "writing a story", "writing an article", "journaliste", "rédaction", "redaction", "pour un article",
                "reportage", "enquête", "demande presse", "service de presse",
            ]
        },
        "then": {"team": "pr", "priority": "P1", "sla_minutes": 60,
                 "tags": ["press"], "approvals": ["pr"], "skills": ["press"]},
    },
    {
        "id": "pr-boycott",
        "name": "Call to boycott",
        "when": {
            "keywords": [
                "boycott", "stop buying", "never buy", "don't buy", "do not buy",
                "unfollow", "ban this brand",
                "boycotter", "n'achetez", "arrêtez d'acheter", "ne plus acheter",
                "plus jamais acheter",
            ]
        },
        "then": {"team": "pr", "priority": "P1", "sla_minutes": 60,
                 "tags": ["boycott"], "approvals": ["pr"]},
    },
    {
        "id": "pr-scandal",
        "name": "Scandal and outrage",
        "when": {
            "keywords": [
                "scandal", "scandalous", "outrage", "outrageous", "disgrace", "shameful",
                "cover up", "cover-up", "exposed", "racist", "sexist",
                "scandale", "scandaleux", "honte", "honteux", "inadmissible", "raciste",
                "sexiste", "indigne", "dénoncer",
            ]
        },
        "then": {"team": "pr", "priority": "P2", "sla_minutes": 120,
                 "tags": ["scandal"], "approvals": ["pr"]},
    },
    {
        "id": "pr-influencer",
        "name": "Influencer",
        "when": {"followers": {"min": INFLUENCER_FOLLOWERS}},
        "then": {"team": "pr", "priority": "P2", "sla_minutes": 120, "tags": ["influencer"]},
    },
    {
        "id": "pr-viral-negative",
        "name": "Negative post going viral",
        "when": {"engagement": {"min": 1000}, "sentiment": {"labels": ["negative"]}},
        "then": {"team": "pr", "priority": "P1", "sla_minutes": 60,
                 "tags": ["viral"], "approvals": ["pr"]},
    },
    {
        "id": "pr-viral-views",
        "name": "Post with a very large audience",
        "when": {"views": {"min": 100_000}},
        "then": {"team": "pr", "priority": "P2", "sla_minutes": 120, "tags": ["viral"]},
    },
    # ---------------------------------------------------------------- support
    {
        "id": "support-refund",
        "name": "Refund, return or exchange",
        "when": {
            "keywords": [
                "refund", "money back", "reimburse", "chargeback", "return", "exchange",
                "remboursement", "rembourser", "remboursé", "retour", "échange", "echanger",
            ]
        },
        "then": {"team": "support", "priority": "P2", "sla_minutes": 240, "tags": ["refund"]},
    },
    {
        "id": "support-delivery",
        "name": "Delivery problem",
        "when": {
            "keywords": [
                "delivery", "shipping", "shipment", "courier", "arrive", "never arrived",
                "not arrived", "still waiting", "late", "lost package", "tracking",
                "livraison", "livrer", "livreur", "transporteur", "pas reçu", "jamais reçu",
                "toujours pas reçu", "retard", "en retard", "suivi", "colis perdu",
            ]
        },
        "then": {"team": "support", "priority": "P3", "sla_minutes": 240, "tags": ["delivery"]},
    },
    {
        "id": "support-order",
        "name": "Order question",
        "when": {
            "keywords": [
                "order", "purchase", "package", "parcel", "invoice", "receipt", "cancel",
                "commande", "commander", "colis", "facture", "achat", "annuler",
            ]
        },
        "then": {"team": "support", "priority": "P3", "sla_minutes": 480, "tags": ["order"]},
    },
    {
        "id": "support-account",
        "name": "Account problem",
        "when": {
            "keywords": [
                "account", "password", "log in", "login", "sign in", "locked out", "hacked",
                "can't access", "cannot access", "verification code", "two-factor",
                "compte", "mot de passe", "connexion", "connecter", "identifiant", "bloqué",
                "piraté", "code de vérification",
            ]
        },
        "then": {"team": "support", "priority": "P2", "sla_minutes": 240, "tags": ["account"]},
    },
    {
        "id": "support-bad-review",
        "name": "Poor review",
        "when": {"kinds": ["review"], "rating": {"max": 2}},
        "then": {"team": "support", "priority": "P2", "sla_minutes": 480,
                 "collaborators": ["brand"], "tags": ["bad-review"]},
    },
    # ---------------------------------------------------------------- brand
    {
        "id": "brand-ideas",
        "name": "Product feedback and ideas",
        "when": {
            "keywords": [
                "feedback", "suggestion", "suggest", "idea", "feature request", "would be nice",
                "would love", "you should", "please add", "improve", "wish",
                "idée", "suggérer", "ce serait bien", "vous devriez", "amélioration",
                "améliorer", "proposition", "j'aimerais",
            ]
        },
        "then": {"team": "brand", "priority": "P3", "sla_minutes": 1440, "tags": ["feedback"]},
    },
    {
        "id": "brand-praise",
        "name": "Praise",
        "when": {
            "keywords": [
                "love", "amazing", "awesome", "fantastic", "brilliant", "thank you", "thanks",
                "great job", "well done", "best",
                "merci", "adore", "génial", "genial", "bravo", "formidable", "excellent",
                "au top", "meilleur", "super",
            ]
        },
        "then": {"team": "brand", "priority": "P4", "sla_minutes": 2880, "tags": ["praise"]},
    },
    {
        "id": "brand-good-review",
        "name": "Good review",
        "when": {"kinds": ["review"], "rating": {"min": 4}},
        "then": {"team": "brand", "priority": "P4", "sla_minutes": 2880, "tags": ["praise"]},
    },
    # ---------------------------------------------------------------- spam / trolls
    {
        "id": "spam",
        "name": "Spam",
        "when": {
            "keywords": [
                "giveaway", "free followers", "click here", "click the link", "check my profile",
                "crypto", "bitcoin", "earn money", "make money", "dm me", "promo code",
                "gagnez", "cliquez ici", "cliquez sur le lien", "argent facile",
                "voir mon profil", "abonnés gratuits",
            ]
        },
        "then": {"team": "brand", "priority": "P4", "sla_minutes": 2880, "tags": ["spam"],
                 "never_alone": True},
    },
    {
        "id": "trolls",
        "name": "Trolling and insults",
        "when": {
            "keywords": [
                "idiot", "stupid", "moron", "clown", "loser", "pathetic", "dumb",
                "débile", "abruti", "bouffon", "minable", "crétin", "nul",
            ],
            "exclude": ["order", "refund", "delivery", "commande", "livraison", "remboursement"],
        },
        "then": {"team": "brand", "priority": "P4", "sla_minutes": 2880, "tags": ["troll"],
                 "never_alone": True},
    },
    *INTENT_RULES,
    # ---------------------------------------------------------------- catch-all
    {
        "id": "catch-all",
        "name": "Everything else",
        "when": {},
        "then": {"team": "support", "priority": "P3", "sla_minutes": 1440,
                 "tags": ["untriaged"], "fallback": True},
    },
]  # fmt: skip


def default_rules() -> list[Rule]:
    return [Rule.model_validate(r) for r in _RAW]
