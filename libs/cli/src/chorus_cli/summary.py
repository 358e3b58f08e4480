"""The line `chorus run` prints every few seconds: posts, open cases, replies, dead letters,
and which services are restarting or down."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping

import httpx

from chorus_cli.supervise import Supervisor


async def summaries(
    urls: Mapping[str, str],
    admin: str,
    stop: asyncio.Event,
    every: float,
    supervisor: Supervisor,
) -> None:
    """Print the summary line every ``every`` seconds until ``stop`` (``urls``: service -> base
    URL)."""
    headers = {"Authorization": f"Bearer {admin}"}
    async with httpx.AsyncClient(headers=headers, timeout=5) as client:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
            if stop.is_set():
                return
            line = await summary_line(client, urls)
            status = supervisor.status()
            print(f"{line} | {status}" if status else line, flush=True)


async def summary_line(client: httpx.AsyncClient, urls: Mapping[str, str]) -> str:
    """One line: posts in, cases open by team, replies — from analytics (router as fallback)."""
    parts: list[str] = []
    try:
        r = await client.get(f"{urls['analytics']}/v1/reports/summary")
        s = r.json() if r.status_code == 200 else {}
    except (httpx.HTTPError, ValueError):
        s = {}
    posts = s.get("posts_total")
    parts.append(f"posts in {posts if posts is not None else '?'}")
    by_team = s.get("cases_open_by_team")
    if not by_team:
        by_team = await _open_cases_by_team(client, urls["router"])
    teams = " ".join(f"{t}={n}" for t, n in sorted((by_team or {}).items()))
    parts.append(f"open cases {teams or '-'}")
    parts.append(f"replies sent {s.get('replies_sent', 0)} failed {s.get('replies_failed', 0)}")
    dlq = s.get("dead_letters_total")
    if dlq is not None:
        parts.append(f"dlq {dlq}")
    return " | ".join(parts)


async def _open_cases_by_team(client: httpx.AsyncClient, router: str) -> dict[str, int]:
    try:
        r = await client.get(f"{router}/v1/cases", params={"limit": 200})
        items = r.json().get("items", []) if r.status_code == 200 else []
    except (httpx.HTTPError, ValueError, AttributeError):
        return {}
    out: dict[str, int] = {}
    for case in items:
        if case.get("status") not in ("resolved",):
            team = case.get("team") or "?"
            out[team] = out.get(team, 0) + 1
    return out
