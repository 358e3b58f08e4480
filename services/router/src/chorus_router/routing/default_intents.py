"""The default rules the intent classifier decides: one per intent, for what no keyword rule
caught (same team, priority, SLA and approvals as that intent's keyword rules)."""

from __future__ import annotations

from typing import Any

# The classifier's calibrated confidence an intent rule needs: lower where a miss costs more
# (legal or PR sent to support), higher for spam (a customer hidden as spam costs most).
LEGAL_CONFIDENCE = 0.3
PR_CONFIDENCE = 0.3
BRAND_CONFIDENCE = 0.4
SPAM_CONFIDENCE = 0.5

INTENT_RULES: list[dict[str, Any]] = [
    {
        "id": "intent-legal",
        "name": "Legal exposure (intent)",
        "description": "legal meaning with none of the legal keywords",
        "when": {"intent": "legal", "min_confidence": LEGAL_CONFIDENCE},
        "then": {"team": "legal", "priority": "P1", "sla_minutes": 120,
                 "tags": ["legal-intent"], "approvals": ["legal"], "skills": ["legal"]},
    },
    {
        "id": "intent-pr",
        "name": "Press or reputation (intent)",
        "description": "press enquiries and outrage with none of the PR keywords",
        "when": {"intent": "pr", "min_confidence": PR_CONFIDENCE},
        "then": {"team": "pr", "priority": "P1", "sla_minutes": 60,
                 "tags": ["pr-intent"], "approvals": ["pr"]},
    },
    {
        "id": "intent-brand",
        "name": "Feedback and opinions (intent)",
        "description": "praise and product feedback that ask for nothing",
        "when": {"intent": "brand", "min_confidence": BRAND_CONFIDENCE},
        "then": {"team": "brand", "priority": "P3", "sla_minutes": 1440,
                 "tags": ["feedback"]},
    },
    {
        "id": "intent-spam",
        "name": "Spam (intent)",
        "when": {"intent": "spam", "min_confidence": SPAM_CONFIDENCE},
        "then": {"team": "brand", "priority": "P4", "sla_minutes": 2880, "tags": ["spam"],
                 "never_alone": True},
    },
]  # fmt: skip
