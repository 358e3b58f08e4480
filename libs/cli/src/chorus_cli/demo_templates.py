"""The demo staff's saved replies: one per team and language, created on first use."""

from __future__ import annotations

import httpx

from chorus_cli.demo_directory import LEADS

TEMPLATE_BODY = {
    "en": "Hi {author.name}, thanks for reaching out. The {brand} team is on it (case {case.id}).",
    "fr": "Bonjour {author.name}, merci pour votre message. L'équipe {brand} s'en occupe "
    "(dossier {case.id}).",
}
TEAMS = tuple(LEADS)
FALLBACK_TEXT = "Thanks for reaching out, we are on it."


async def ensure_templates(
    client: httpx.AsyncClient, responder_url: str, admin: dict[str, str]
) -> dict[str, str]:
    """One saved reply per team and language, created once; returns team -> English id."""
    r = await client.get(f"{responder_url}/v1/templates", headers=admin)
    r.raise_for_status()
    have = {(t["team"], t["lang"], t["name"]): t["template_id"] for t in r.json()["templates"]}
    for team in TEAMS:
        for lang, body in TEMPLATE_BODY.items():
            key = (team, lang, "demo-ack")
            if key not in have:
                c = await client.post(
                    f"{responder_url}/v1/templates",
                    json={"team": team, "lang": lang, "name": "demo-ack", "body": body},
                    headers=admin,
                )
                if c.status_code == 201:
                    have[key] = c.json()["template_id"]
    return {
        team: have[(team, "en", "demo-ack")] for team in TEAMS if (team, "en", "demo-ack") in have
    }
