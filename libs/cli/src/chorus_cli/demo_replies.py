"""The demo's staff: the directory's members answering their cases. Each round reads every
open case from the router and does what its state asks, as a real member of the seeded
directory (chorus_cli.demo_directory): draft a reply to the latest post as the owner (from a
saved template), get the sign-offs it needs from the right other members, send it, and close
the case as its owner a little after the answer went out. A follow-up post (the case is
assigned or reopened again) is answered again.

Who drafts, approves and closes is chorus_cli.demo_directory's to say; each acts with their
own token (chorus_cli.demo_tokens).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from chorus_cli import demo_directory as people
from chorus_cli.demo_templates import FALLBACK_TEXT, ensure_templates
from chorus_cli.demo_tokens import MemberTokens

log = logging.getLogger("chorus.demo.replies")

ACTIVE = "assigned,reopened,waiting_approval,replied"
# A reply in one of these is on its way: nothing to do but wait for the router to hear of it.
IN_FLIGHT = frozenset({"sending", "sent"})


@dataclass
class DemoStats:
    drafted: int = 0
    approved: int = 0
    sent: int = 0
    resolved: int = 0
    skipped: int = 0

    def line(self) -> str:
        return (
            f"replies: {self.drafted} drafted, {self.approved} approvals, {self.sent} sent, "
            f"{self.resolved} cases resolved"
        )


class Staff:
    """The demo's members at work; ``round`` acts once on every open case."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        responder_url: str,
        router_url: str,
        secret: str,
        *,
        concurrency: int = 12,
        resolve_after: float = 10.0,
    ) -> None:
        self.client, self.responder, self.router = client, responder_url, router_url
        self.tokens = MemberTokens(secret)
        self.stats = DemoStats()
        self.templates: dict[str, str] = {}
        self.resolve_after = resolve_after
        self.look_again_s = 10.0
        self._slots = asyncio.Semaphore(concurrency)
        self._looked: dict[str, tuple[int, float]] = {}  # case id -> (version, when)
        self._answered: dict[str, str] = {}  # case id -> the post last drafted an answer to
        self._busy: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def open_cases(self, pages: int = 5) -> list[dict[str, Any]]:
        """The cases someone has to act on, oldest first."""
        out: list[dict[str, Any]] = []
        params: dict[str, Any] = {"status": ACTIVE, "sort": "opened_at", "limit": 200}
        for _ in range(pages):
            r = await self.client.get(
                f"{self.router}/v1/cases", params=params, headers=self.tokens.admin()
            )
            r.raise_for_status()
            body = r.json()
            out += body["items"]
            if not body.get("next_cursor"):
                break
            params["cursor"] = body["next_cursor"]
        return out

    async def round(self) -> int:
        """Start work on every open case that needs some and is not worked on already (a few
        cases at a time, while the next rounds read on); returns how many cases are open."""
        if not self.templates:
            self.templates = await ensure_templates(
                self.client, self.responder, self.tokens.admin()
            )
        cases = await self.open_cases()
        now = time.monotonic()
        ids = {c["id"] for c in cases}
        self._looked = {k: v for k, v in self._looked.items() if k in ids}
        self._answered = {k: v for k, v in self._answered.items() if k in ids}
        for case in cases:
            if case["id"] not in self._busy and self._due(case, now):
                self._busy.add(case["id"])
                task = asyncio.create_task(self._act(case))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        return len(cases)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _due(self, case: dict[str, Any], now: float) -> bool:
        """A case answered long enough ago to close; another not looked at since it last
        changed, or long enough ago to look again (a reply still on its way, a service that
        was not ready)."""
        if case["status"] == "replied":
            return _age_s(str(case["updated_at"])) >= self.resolve_after
        version, at = self._looked.get(case["id"], (-1, 0.0))
        return version != case["version"] or now - at >= self.look_again_s

    async def _act(self, case: dict[str, Any]) -> None:
        try:
            async with self._slots:
                if case["status"] == "replied":
                    await self._close(case)
                else:
                    self._looked[case["id"]] = (case["version"], time.monotonic())
                    await self._answer(case)
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            log.info("demo staff: case skipped", extra={"error": type(exc).__name__})
        finally:
            self._busy.discard(case["id"])

    async def _answer(self, case: dict[str, Any]) -> None:
        author = people.author_of(case)
        if author is None:
            return
        me = self.tokens.member(author)
        fresh = case["status"] != "waiting_approval"
        if fresh and self._answered.get(case["id"]) != case["latest_post_id"]:
            # A post not answered yet: draft at once (the responder says 409 if someone did).
            reply = await self._draft(case, me)
            if reply is not None:
                await self._sign_off_and_send(reply, me)
            return
        r = await self.client.get(f"{self.responder}/v1/cases/{case['id']}/replies", headers=me)
        if r.status_code != 200:
            return  # 503: the responder has not read the case yet; 404: not visible yet
        replies = r.json()["replies"]  # oldest first
        to_latest = {x["status"] for x in replies if x["post_id"] == case["latest_post_id"]}
        if to_latest & IN_FLIGHT:
            return
        if "failed" in to_latest:
            # The platform refused the answer: the owner closes the case rather than retry.
            self.stats.skipped += 1
            await self._close(case)
            return
        live = [x for x in replies if x["status"] in ("draft", "pending_approval", "approved")]
        # The latest post has no answer: one by someone else to an earlier post (the case
        # changed hands) is no reason to hold back (force).
        reply = live[-1] if live else await self._draft(case, me, force=True)
        if reply is not None:
            await self._sign_off_and_send(reply, me, force=True)

    async def _sign_off_and_send(
        self, reply: dict[str, Any], me: dict[str, str], *, force: bool = False
    ) -> None:
        if reply["status"] == "pending_approval":
            reply = await self._approve(reply)
        if reply["status"] in ("draft", "approved"):
            s = await self.client.post(
                f"{self.responder}/v1/replies/{reply['reply_id']}/send",
                json={"force": force},
                headers=me,
            )
            self.stats.sent += s.status_code == 202

    async def _draft(
        self, case: dict[str, Any], me: dict[str, str], *, force: bool = False
    ) -> dict[str, Any] | None:
        url = f"{self.responder}/v1/cases/{case['id']}/replies"
        template = self.templates.get(str(case["team"]))
        body: dict[str, Any] = {"template_id": template} if template else {"text": FALLBACK_TEXT}
        r = await self.client.post(url, json={**body, "force": force}, headers=me)
        if r.status_code == 422 and template:
            r = await self.client.post(
                url, json={"text": FALLBACK_TEXT, "force": force}, headers=me
            )
        if r.status_code == 201:
            self.stats.drafted += 1
            self._answered[case["id"]] = case["latest_post_id"]
            reply: dict[str, Any] = r.json()
            return reply
        if r.status_code == 409:
            self._answered[case["id"]] = case["latest_post_id"]  # look at the replies next time
        elif r.status_code == 422:
            # Nothing can be sent on that platform: the owner closes the case instead.
            self.stats.skipped += 1
            await self._close(case)
        return None

    async def _approve(self, reply: dict[str, Any]) -> dict[str, Any]:
        for need in reply.get("approvals_pending", []):
            approver = people.approver_for(need, reply["author_id"])
            if approver is None:
                continue
            r = await self.client.post(
                f"{self.responder}/v1/replies/{reply['reply_id']}/approve",
                json={"comment": f"ok from {need['team']} ({need['reason']})"},
                headers=self.tokens.member(approver),
            )
            if r.status_code == 200:
                self.stats.approved += 1
                reply = r.json()
        return reply

    async def _close(self, case: dict[str, Any]) -> None:
        """Resolve the case as its owner (If-Match: the version just read)."""
        closer = people.closer_of(case)
        if closer is None:
            return
        done = await self.client.post(
            f"{self.router}/v1/cases/{case['id']}/resolve",
            json={"reason": "answered"},
            headers={**self.tokens.member(closer), "If-Match": f'"{case["version"]}"'},
        )
        self.stats.resolved += done.status_code == 200


def _age_s(iso: str) -> float:
    return time.time() - datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


async def run_reply_demo(
    responder_url: str,
    router_url: str,
    admin_token_secret: str,
    stop: asyncio.Event,
    *,
    interval: float = 2.0,
    concurrency: int = 12,
    resolve_after: float = 10.0,
) -> None:
    """Until ``stop`` is set: every ``interval`` seconds, read the open cases and start work
    on those that need some (at most ``concurrency`` cases at a time).
    Never raises on a service being down: it logs and tries again."""
    async with httpx.AsyncClient(timeout=10) as client:
        staff = Staff(
            client,
            responder_url,
            router_url,
            admin_token_secret,
            concurrency=concurrency,
            resolve_after=resolve_after,
        )
        try:
            while not stop.is_set():
                try:
                    if await staff.round():
                        log.info(staff.stats.line())
                except (httpx.HTTPError, KeyError, ValueError) as exc:
                    log.info(
                        "reply demo waiting for the services", extra={"error": type(exc).__name__}
                    )
                try:
                    await asyncio.wait_for(stop.wait(), interval)
                except TimeoutError:
                    pass
        finally:
            await staff.close()
