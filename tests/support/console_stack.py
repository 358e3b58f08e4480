"""A whole `chorus run` (demo on, reply bot off) on free ports for the console's browser
tests, and the steps a person takes in the console (sign-in through the provider's form)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from chorus_cli.demo_feed import SCENARIOS, DemoFeed
from chorus_cli.embedded import free_port
from chorus_cli.procs import SERVICES
from chorus_common.auth import create_token
from chorus_common.settings import DEV_TOKEN_SECRET

from tests.support.chorus_run import Running, start, stop
from tests.support.wait import wait_for_sync

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
EMAIL_DOMAIN = "demo.chorus.example"


@dataclass
class Stack(Running):
    @property
    def console(self) -> str:
        return self.url("console") + "/"

    def admin(self) -> dict[str, str]:
        token = (self.var / "admin.token").read_text().strip()
        return {"Authorization": f"Bearer {token}"}

    def api(self, method: str, service: str, path: str, **kw: Any) -> httpx.Response:
        return httpx.request(
            method, self.url(service) + path, headers=self.admin(), timeout=10, **kw
        )


def _answers(url: str, headers: dict[str, str] | None = None) -> bool:
    try:
        return httpx.get(url, headers=headers, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def chorus_run(tmp: Path) -> Iterator[Stack]:
    """`chorus run` with the demo feed at a gentle rate and no reply bot, until ready: the
    services, the provider, the console, the demo's channels."""
    names = (*SERVICES, "sandbox", "smtp", "idp", "console")
    args = ["--demo-rate", "0.2", "--broker-port", str(free_port()), "--summary-every", "30"]
    # No lowered CPU priority: on a busy machine the responder would start last.
    env = {"ENVIRONMENT": "test", "DEMO_REPLIES": "0", "CPU_NICE": "0"}
    running = start(tmp, names, args, env)
    stack = Stack(running.proc, running.ports, running.var, running.out)
    try:
        wait_for_sync(lambda: _ready(stack), timeout=240, interval=0.5, what="chorus run ready")
        yield stack
    finally:
        stop(stack.proc)
        (ARTIFACTS / "chorus-run.out").parent.mkdir(exist_ok=True)
        (ARTIFACTS / "chorus-run.out").write_text(stack.said()[-20000:])


def _ready(stack: Stack) -> bool:
    if stack.proc.poll() is not None:
        raise AssertionError(f"chorus run exited {stack.proc.returncode}:\n{stack.said()[-3000:]}")
    if not (stack.var / "admin.token").exists():
        return False
    urls = [f"{stack.url(s)}/readyz" for s in SERVICES]
    urls += [
        f"{stack.url('idp')}/.well-known/openid-configuration",
        stack.url("console") + "/config.json",
    ]
    if not all(_answers(u) for u in urls):
        return False
    channels = stack.api("GET", "ingest", "/v1/channels")
    return channels.status_code == 200 and any(
        c["platform"] == "x" for c in channels.json()["channels"]
    )


def tweet(stack: Stack, intent: str, text: str) -> str:
    """One signed X webhook like the demo feed's (a real customer's shape); the post's id."""
    scenario = next(s for s in SCENARIOS if s.intent == intent and s.lang == "en")
    delivery = DemoFeed()._build("x", scenario, text, None)
    r = httpx.post(
        f"{stack.url('ingest')}/v1/webhooks/x",
        content=delivery.body,
        headers=delivery.headers,
        params=delivery.query,
        timeout=10,
    )
    assert r.status_code < 300, r.text
    native = json.loads(delivery.body)["tweet_create_events"][0]["id_str"]
    return f"x:{native}"


def set_away(stack: Stack, member: str) -> None:
    current = stack.api("GET", "router", f"/v1/members/{member}")
    r = httpx.put(
        f"{stack.url('router')}/v1/members/{member}/availability",
        json={"availability": "away"},
        headers={**stack.admin(), "If-Match": current.headers["ETag"]},
        timeout=10,
    )
    assert r.status_code == 200, r.text


def member_headers(member: str, team: str) -> dict[str, str]:
    """A CLI-minted token of a directory member, as the demo's staff hold: `chorus run` here
    has the development secret (its environment has no TOKEN_*)."""
    token = create_token(
        DEV_TOKEN_SECRET, sub=member, role="agent", member_id=member, teams=(team,)
    )
    return {"Authorization": f"Bearer {token}"}


def sign_in(page: Any, stack: Stack, member: str) -> None:
    """Through the console's button and the identity provider's own login form."""
    page.goto(stack.console)
    page.get_by_test_id("sign-in").click()
    page.locator("input[name=login]").fill(f"{member}@{EMAIL_DOMAIN}")
    page.locator("input[name=password]").fill("demo")
    page.locator("button[type=submit]").click()
    page.get_by_test_id("queue").wait_for(timeout=30_000)
    assert page.get_by_test_id("whoami").inner_text() != ""


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
