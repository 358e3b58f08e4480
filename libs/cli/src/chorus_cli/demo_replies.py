"""The reply half of the demo: take assigned cases from the router, draft a reply as the
assignee (from a saved template), get the sign-offs the case needs from the right other
people, and send it (to the sandbox platform).

Tokens are minted locally with the shared secret, as each person would hold their own.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
from chorus_common.auth import create_token

log = logging.getLogger("chorus.demo.replies")

TEMPLATE_BODY = {
    "en": "Hi {author.name}, thanks for reaching out. The {brand} team is on it (case {case.id}).",
    "fr": "Bonjour {author.name}, merci pour votre message. L'équipe {brand} s'en occupe "
    "(dossier {case.id}).",
}
TEAMS = ("support", "legal", "pr", "brand")


@dataclass
class DemoStats:
    drafted: int = 0
    approved: int = 0
    sent: int = 0
    resolved: int = 0
    skipped: int = 0
    handled: set[str] = field(default_factory=set)

    def line(self) -> str:
        return (
            f"replies: {self.drafted} drafted, {self.approved} approvals, {self.sent} sent, "
            f"{self.resolved} cases resolved"
        )


class _Tokens:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self._cache: dict[tuple[str, str, tuple[str, ...]], str] = {}

    def headers(
        self, role: str, member: str | None = None, teams: tuple[str, ...] = ()
    ) -> dict[str, str]:
        key = (role, member or role, teams)
        if key not in self._cache:
            self._cache[key] = create_token(
                self.secret,
                sub=member or f"demo-{role}",
                role=role,
                member_id=member,
                teams=teams,
                ttl_seconds=24 * 3600,
            )
        return {"Authorization": f"Bearer {self._cache[key]}"}


def _cases(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, list):
        return body
    for key in ("items", "cases", "data", "results"):
        if isinstance(body, dict) and isinstance(body.get(key), list):
            return list(body[key])
    return []


async def _ensure_templates(
    client: httpx.AsyncClient, responder_url: str, tokens: _Tokens
) -> dict[str, str]:
    """One saved reply per team (English), created once; returns team -> template id."""
    admin = tokens.headers("admin")
    r = await client.get(f"{responder_url}/v1/templates", headers=admin)
    r.raise_for_status()
    have = {(t["team"], t["lang"], t["name"]): t["template_id"] for t in r.json()["templates"]}
    out: dict[str, str] = {}
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
        if (team, "en", "demo-ack") in have:
            out[team] = have[(team, "en", "demo-ack")]
    return out


async def _approve(
    client: httpx.AsyncClient,
    responder_url: str,
    tokens: _Tokens,
    reply: dict[str, Any],
    stats: DemoStats,
) -> dict[str, Any]:
    for need in reply.get("approvals_pending", []):
        role = "lead" if need["role"] == "lead" else "agent"
        approver = f"demo-{need['team']}-{need['role']}"
        r = await client.post(
            f"{responder_url}/v1/replies/{reply['reply_id']}/approve",
            json={"comment": f"ok from {need['team']} ({need['reason']})"},
            headers=tokens.headers(role, approver, (need["team"],)),
        )
        if r.status_code == 200:
            stats.approved += 1
            reply = r.json()
        else:
            log.info(
                "demo approval refused",
                extra={"status": r.status_code, "reply_id": reply["reply_id"]},
            )
    return reply


async def _handle_case(
    client: httpx.AsyncClient,
    responder_url: str,
    tokens: _Tokens,
    templates: dict[str, str],
    case: dict[str, Any],
    stats: DemoStats,
) -> None:
    case_id = str(case.get("case_id") or case.get("id"))
    team = case.get("team")
    assignee = case.get("assignee")
    if not team or not assignee:
        return
    author = tokens.headers("agent", str(assignee), (str(team),))
    body: dict[str, Any] = (
        {"template_id": templates[team]}
        if team in templates
        else {"text": "Thanks for reaching out, we are on it."}
    )
    r = await client.post(f"{responder_url}/v1/cases/{case_id}/replies", json=body, headers=author)
    if r.status_code == 503 and "Retry-After" in r.headers:
        return  # the responder has not read the case or its post yet: try on a later round
    if r.status_code == 422 and body.get("template_id"):
        r = await client.post(
            f"{responder_url}/v1/cases/{case_id}/replies",
            json={"text": "Thanks for reaching out, we are on it."},
            headers=author,
        )
    stats.handled.add(case_id)
    if r.status_code != 201:
        stats.skipped += 1
        log.info("demo draft refused", extra={"case_id": case_id, "status": r.status_code})
        return
    stats.drafted += 1
    reply = await _approve(client, responder_url, tokens, r.json(), stats)
    s = await client.post(
        f"{responder_url}/v1/replies/{reply['reply_id']}/send", json={}, headers=author
    )
    if s.status_code == 202:
        stats.sent += 1


async def _resolve_replied(
    client: httpx.AsyncClient, router_url: str, tokens: _Tokens, stats: DemoStats, limit: int
) -> None:
    """Close a few answered cases as their owner (If-Match), so resolution times show."""
    r = await client.get(
        f"{router_url}/v1/cases",
        params={"status": "replied", "limit": limit},
        headers=tokens.headers("admin"),
    )
    r.raise_for_status()
    for case in _cases(r.json())[:limit]:
        case_id = str(case.get("case_id") or case.get("id"))
        team, assignee = case.get("team"), case.get("assignee")
        if not team or not assignee:
            continue
        owner = tokens.headers("agent", str(assignee), (str(team),))
        current = await client.get(f"{router_url}/v1/cases/{case_id}", headers=owner)
        etag = current.headers.get("ETag")
        if current.status_code != 200 or not etag:
            continue
        done = await client.post(
            f"{router_url}/v1/cases/{case_id}/resolve",
            json={"reason": "answered"},
            headers={**owner, "If-Match": etag},
        )
        stats.resolved += done.status_code == 200


async def run_reply_demo(
    responder_url: str,
    router_url: str,
    admin_token_secret: str,
    stop: asyncio.Event,
    *,
    interval: float = 2.0,
    per_round: int = 5,
) -> None:
    """Until ``stop`` is set: every ``interval`` seconds, answer up to ``per_round`` newly
    assigned cases. Never raises on a service being down: it logs and tries again."""
    tokens = _Tokens(admin_token_secret)
    stats = DemoStats()
    templates: dict[str, str] = {}
    async with httpx.AsyncClient(timeout=10) as client:
        while not stop.is_set():
            try:
                if not templates:
                    templates = await _ensure_templates(client, responder_url, tokens)
                r = await client.get(
                    f"{router_url}/v1/cases",
                    params={"status": "assigned", "limit": 100},
                    headers=tokens.headers("admin"),
                )
                r.raise_for_status()
                fresh = [
                    c
                    for c in _cases(r.json())
                    if str(c.get("case_id") or c.get("id")) not in stats.handled
                ]
                for case in fresh[:per_round]:
                    await _handle_case(client, responder_url, tokens, templates, case, stats)
                await _resolve_replied(client, router_url, tokens, stats, limit=2)
                if fresh:
                    log.info(stats.line())
            except (httpx.HTTPError, KeyError, ValueError) as exc:
                log.info("reply demo waiting for the services", extra={"error": type(exc).__name__})
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except TimeoutError:
                pass
