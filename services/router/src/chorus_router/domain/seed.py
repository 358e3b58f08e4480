"""The directory installed on first start: four teams, a lead and 2-3 members each, 24/7.

Each member's e-mail is ``<id>@demo.chorus.example``: their sign-in at the development
OpenID provider (`chorus run`) maps to them by it."""

from __future__ import annotations

from typing import Any

DEMO_EMAIL_DOMAIN = "demo.chorus.example"
ALL_WEEK = [{"days": [0, 1, 2, 3, 4, 5, 6], "start": "00:00", "end": "24:00"}]
OFFICE = [{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}]
EVENING = [{"days": [0, 1, 2, 3, 4, 5, 6], "start": "14:00", "end": "23:00"}]

TEAMS: list[dict[str, Any]] = [
    {"id": "legal", "name": "Legal", "lead": "lena", "description": "Legal exposure, GDPR"},
    {"id": "pr", "name": "Public relations", "lead": "paul", "description": "Press, crises"},
    {"id": "brand", "name": "Brand", "lead": "bea", "description": "Community, feedback"},
    {"id": "support", "name": "Customer support", "lead": "sam", "description": "Orders"},
]


def _m(
    id_: str,
    name: str,
    team: str,
    *,
    tz: str,
    hours: list[dict[str, Any]],
    skills: list[str],
    capacity: int,
    langs: tuple[str, ...] = ("en", "fr"),
) -> dict[str, Any]:
    return {
        "id": id_,
        "name": name,
        "email": f"{id_}@{DEMO_EMAIL_DOMAIN}",
        "teams": [team],
        "languages": list(langs),
        "skills": skills,
        "platforms": [],
        "capacity": capacity,
        "timezone": tz,
        "working_hours": hours,
        "availability": "on_shift",
    }


# Each team has one on-call member whose hours cover the whole week, so the demo always routes.
MEMBERS: list[dict[str, Any]] = [
    _m("lena", "Léna Moreau", "legal", tz="Europe/Paris", hours=OFFICE,
       skills=["legal", "gdpr"], capacity=10),
    _m("marc", "Marc Dubois", "legal", tz="Europe/Paris", hours=ALL_WEEK,
       skills=["legal", "gdpr"], capacity=30),
    _m("nora", "Nora Chen", "legal", tz="America/Toronto", hours=OFFICE,
       skills=["legal"], capacity=20, langs=("en",)),
    _m("paul", "Paul Martin", "pr", tz="Europe/Paris", hours=OFFICE,
       skills=["press", "crisis"], capacity=10),
    _m("quinn", "Quinn Taylor", "pr", tz="America/New_York", hours=ALL_WEEK,
       skills=["press", "crisis"], capacity=30),
    _m("rosa", "Rosa Garcia", "pr", tz="Europe/Madrid", hours=EVENING,
       skills=["press"], capacity=20),
    _m("bea", "Béatrice Leroy", "brand", tz="Europe/Paris", hours=OFFICE,
       skills=["community"], capacity=15),
    _m("chloe", "Chloé Bernard", "brand", tz="Europe/Paris", hours=ALL_WEEK,
       skills=["community"], capacity=40),
    _m("dev", "Dev Patel", "brand", tz="Europe/London", hours=EVENING,
       skills=["community"], capacity=30, langs=("en",)),
    _m("sam", "Sam Nguyen", "support", tz="Europe/Paris", hours=OFFICE,
       skills=["orders", "billing"], capacity=15),
    _m("tom", "Tom Lefèvre", "support", tz="Europe/Paris", hours=ALL_WEEK,
       skills=["orders", "billing"], capacity=50),
    _m("uma", "Uma Singh", "support", tz="America/Montreal", hours=OFFICE,
       skills=["orders"], capacity=40),
    _m("victor", "Victor Roux", "support", tz="Asia/Singapore", hours=EVENING,
       skills=["orders", "billing"], capacity=40),
]  # fmt: skip
