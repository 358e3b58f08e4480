"""The reference console in a real browser (Debian's Chromium) against a real `chorus run`:
people sign in through the identity provider's form, a case arrives live, is explained,
answered from a template, approved by legal in another browser, sent and resolved; another
team never sees it; a foreign origin is refused."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.support.console_stack import (
    ARTIFACTS,
    CHROMIUM,
    Stack,
    chorus_run,
    member_headers,
    set_away,
    shot,
    sign_in,
    tweet,
)
from tests.support.wait import wait_for_sync

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
expect.set_options(timeout=30_000)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with chorus_run(tmp_path_factory.mktemp("console")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _page(browser: Browser, lang: str = "en-GB") -> Page:
    context = browser.new_context(locale=lang, viewport={"width": 1360, "height": 900})
    context.set_default_timeout(30_000)
    return context.new_page()


def _case_of(stack: Stack, post_id: str) -> dict[str, Any]:
    def routed() -> dict[str, Any]:
        r = stack.api("GET", "router", f"/v1/posts/{post_id}")
        assigned = r.status_code == 200 and r.json()["case"]["assignee"]
        return dict(r.json()["case"]) if assigned else {}

    case: dict[str, Any] = wait_for_sync(routed, timeout=60, interval=0.3, what="the case")
    return case


def _brand_replies(stack: Stack, case: dict[str, Any], post_id: str, marker: str) -> str:
    """The brand answers ``post_id`` in X's own app (ingest hears it); returns the reply's URL."""
    url = f"https://x.com/brand/status/{marker}"
    native = {
        "id": f"brand{marker}", "platform": "x", "channel": case["channel"], "kind": "reply",
        "thread_id": case["thread_id"].removeprefix("x:"), "in_reply_to": post_id.removeprefix("x:"),
        "text": "Done: your data is deleted.", "created_at": case["opened_at"],
        "author": {"id": "brand", "handle": "brand"}, "url": url, "from_brand": True,
    }  # fmt: skip
    r = stack.api("POST", "ingest", "/v1/posts", json={"posts": [native]})
    assert r.status_code < 300, r.text
    return url


def _legal_template(stack: Stack) -> str:
    body = {
        "team": "legal",
        "lang": "en",
        "name": "legal-ack",
        "body": "Hello {author.name}, our legal team has your message about {topic} (case {case.id}).",
    }
    r = stack.api("POST", "responder", "/v1/templates", json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["template_id"])


@pytest.mark.timeout(600)
def test_an_agent_answers_a_legal_case_with_legal_approval(stack: Stack, browser: Browser) -> None:
    # Marc (legal, on call all week) is the one legal member available: the case is his.
    for member in ("lena", "nora"):
        set_away(stack, member)
    _legal_template(stack)
    agent, other = _page(browser), _page(browser, "fr-FR")
    sign_in(agent, stack, "marc")
    sign_in(other, stack, "tom")
    other.goto(stack.console + "#/queue/team/support")
    expect(other.get_by_test_id("live-state")).to_have_class(re.compile(r"\bon\b"))
    expect(agent.get_by_test_id("live-state")).to_have_class(re.compile(r"\bon\b"))
    agent.evaluate("window.__sameDocument = true")

    marker = uuid.uuid4().hex[:8]
    text = f"Under GDPR I request a copy of all personal data you hold about me, ref {marker}"
    post_id = tweet(stack, "legal", text)
    case = _case_of(stack, post_id)
    assert (case["team"], case["assignee"]) == ("legal", "marc")

    row = agent.locator(f"[data-testid=case-row][data-case-id='{case['id']}']")
    expect(row).to_be_visible(timeout=60_000)
    expect(row.get_by_test_id("case-new")).to_be_visible()
    assert agent.evaluate("window.__sameDocument") is True, "the queue was reloaded"
    shot(agent, "1-queue-live")

    row.get_by_test_id("case-link").click()
    expect(agent.get_by_test_id("case")).to_have_attribute("data-case-id", case["id"])
    expect(agent.get_by_test_id("post-text").first).to_contain_text(marker)
    expect(agent.get_by_test_id("author-followers").first).to_be_visible()
    decision = agent.get_by_test_id("decision")
    expect(decision.get_by_test_id("decision-rule").first).to_be_visible()
    expect(decision.locator("[data-testid=candidate].chosen")).to_have_attribute(
        "data-member", "marc"
    )
    expect(decision.locator("[data-testid=candidate][data-member=lena]")).to_contain_text("away")

    agent.get_by_test_id("template-select").select_option(label="legal-ack (en)")
    agent.get_by_test_id("var-topic").fill("your personal data")
    agent.get_by_test_id("reply-save").click()
    reply = agent.get_by_test_id("reply").first
    expect(reply).to_have_attribute("data-status", "pending_approval")
    expect(reply.get_by_test_id("reply-text-view")).to_contain_text("your personal data")
    expect(reply.locator("[data-testid=approval][data-team=legal]")).to_have_attribute(
        "data-satisfied", "false"
    )
    expect(agent.get_by_test_id("reply-length")).to_contain_text("/ 280")
    shot(agent, "2-case-drafted")

    approver = _page(browser)
    sign_in(approver, stack, "lena")
    approver.get_by_test_id("nav-approvals").click()
    card = approver.locator(f"[data-testid=awaiting][data-case-id='{case['id']}']")
    expect(card).to_contain_text("your personal data")
    shot(approver, "3-approvals")
    card.get_by_test_id("approve").click()
    expect(card).to_have_count(0)

    # The agent's page learns of the approval by itself (the responder's stream).
    expect(reply).to_have_attribute("data-status", "approved")
    reply.get_by_test_id("reply-send").click()
    expect(reply).to_have_attribute("data-status", "sent", timeout=60_000)
    expect(reply.get_by_test_id("reply-link")).to_have_attribute("href", re.compile(r"^https?://"))
    agent.get_by_test_id("case-resolve").click()
    expect(agent.get_by_test_id("case-status").first).to_have_attribute("data-status", "resolved")
    shot(agent, "4-case-sent-resolved")  # docs/img/console.png is a copy of this one

    # Support never saw it: not live in its queue, not by its address.
    assert other.locator(f"[data-case-id='{case['id']}']").count() == 0
    other.goto(stack.console + f"#/case/{case['id']}")
    expect(other.get_by_test_id("error-text")).to_contain_text(
        "n'existe pas ou ne vous est pas visible"
    )
    shot(other, "5-other-team-refused")


@pytest.mark.timeout(600)
def test_a_foreign_origin_is_refused_and_the_console_origin_is_not(stack: Stack) -> None:
    def preflight(origin: str) -> httpx.Response:
        return httpx.options(
            f"{stack.url('router')}/v1/cases",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
            timeout=10,
        )

    foreign = preflight("http://evil.example")
    console = preflight(stack.url("console"))
    assert "access-control-allow-origin" not in foreign.headers
    assert foreign.status_code >= 400
    assert console.status_code == 200
    assert console.headers["access-control-allow-origin"] == stack.url("console")


@pytest.mark.timeout(600)
def test_a_page_on_another_origin_cannot_call_the_api(stack: Stack, browser: Browser) -> None:
    page = _page(browser)
    # Same server, another origin (localhost is not 127.0.0.1 to a browser).
    page.goto(stack.url("console").replace("127.0.0.1", "localhost") + "/config.json")
    outcome = page.evaluate(
        """async (url) => {
            try {
                await fetch(url, {headers: {Authorization: "Bearer x"}});
                return "answered";
            } catch (err) {
                return "refused";
            }
        }""",
        f"{stack.url('router')}/v1/cases",
    )
    assert outcome == "refused"
    ARTIFACTS.mkdir(exist_ok=True)


@pytest.mark.timeout(600)
def test_a_lead_sees_the_teams_load_and_sets_availability_in_french(
    stack: Stack, browser: Browser
) -> None:
    lead = _page(browser)
    sign_in(lead, stack, "lena")
    lead.get_by_test_id("language").select_option("fr")
    expect(lead.get_by_test_id("nav-queue")).to_have_text("Files")
    lead.get_by_test_id("nav-team-legal").click()
    expect(lead.get_by_test_id("fairness")).to_contain_text("Charge et équité")
    nora = lead.locator("[data-testid=member-row][data-member=nora]")
    nora.get_by_test_id("availability-select").select_option("on_shift")
    nora.get_by_test_id("availability-set").click()
    expect(nora.get_by_test_id("member-availability")).not_to_contain_text("absent")
    member = stack.api("GET", "router", "/v1/members/nora").json()
    assert member["availability"] == "on_shift"
    expect(lead.locator("[data-testid=member-row][data-member=marc]")).to_be_visible()
    shot(lead, "6-team-lead-fr")


@pytest.mark.timeout(600)
def test_a_colleague_drafting_on_the_same_case_is_shown(stack: Stack, browser: Browser) -> None:
    marker = uuid.uuid4().hex[:8]
    text = f"Please delete my personal data under GDPR, ref {marker}"
    case = _case_of(stack, tweet(stack, "legal", text))
    owner = str(case["assignee"])
    colleague = next(m for m in ("lena", "marc", "nora") if m != owner)
    draft = httpx.post(
        f"{stack.url('responder')}/v1/cases/{case['id']}/replies",
        json={"text": "We are looking into it."},
        headers=member_headers(owner, "legal"),
        timeout=30,
    )
    assert draft.status_code == 201, draft.text

    page = _page(browser)
    sign_in(page, stack, colleague)
    page.goto(stack.console + f"#/case/{case['id']}")
    expect(page.get_by_test_id("composer-collision")).to_contain_text(owner)
    expect(page.get_by_test_id("reply")).to_have_attribute("data-status", "pending_approval")
    shot(page, "7-collision")


@pytest.mark.timeout(600)
def test_a_dropped_stream_resumes_where_it_stopped(stack: Stack, browser: Browser) -> None:
    for member in ("lena", "nora"):
        set_away(stack, member)
    agent = _page(browser)
    # Keep a hand on the page's EventSources, to drop one as a broken connection would.
    agent.add_init_script(
        """const Native = window.EventSource;
        window.__sources = [];
        window.EventSource = class extends Native {
            constructor(...args) { super(...args); window.__sources.push(this); }
        };"""
    )
    streams: list[str] = []
    agent.on("request", lambda r: streams.append(r.url) if "/v1/stream?" in r.url else None)
    sign_in(agent, stack, "marc")
    live = agent.get_by_test_id("live-state")
    expect(live).to_have_class(re.compile(r"\bon\b"))
    first = _case_of(stack, tweet(stack, "legal", f"GDPR: my personal data? {uuid.uuid4().hex}"))
    expect(agent.locator(f"[data-case-id='{first['id']}']")).to_be_visible()

    agent.context.set_offline(True)
    agent.evaluate(
        "window.__sources.forEach((s) => { s.close(); s.dispatchEvent(new Event('error')); })"
    )
    expect(live).to_have_class(re.compile(r"\boff\b"))
    missed = _case_of(stack, tweet(stack, "legal", f"GDPR: delete my data {uuid.uuid4().hex}"))
    agent.context.set_offline(False)
    # A fresh ticket and the last event id seen: the router replays what the page missed.
    expect(live).to_have_class(re.compile(r"\bon\b"), timeout=60_000)
    expect(agent.locator(f"[data-case-id='{missed['id']}']")).to_be_visible()
    resumed = [u for u in streams if "last_event_id=" in u]
    assert resumed and "ticket=" in resumed[-1], streams


@pytest.mark.timeout(600)
def test_a_reply_the_brand_wrote_on_the_platform_is_shown_as_the_brands(
    stack: Stack, browser: Browser
) -> None:
    marker = uuid.uuid4().hex[:8]
    post_id = tweet(stack, "legal", f"Please delete my personal data under GDPR, ref {marker}")
    case = _case_of(stack, post_id)
    owner = str(case["assignee"])
    url = _brand_replies(stack, case, post_id, marker)

    def warned() -> bool:
        r = httpx.get(
            f"{stack.url('responder')}/v1/cases/{case['id']}/replies",
            headers=member_headers(owner, "legal"),
            timeout=30,
        )
        return any(c["activity"] == "replied_natively" for c in r.json().get("collisions", []))

    wait_for_sync(warned, timeout=60, interval=0.3, what="the native reply at the responder")
    page = _page(browser)
    sign_in(page, stack, owner)
    page.goto(stack.console + f"#/case/{case['id']}")
    expect(page.get_by_test_id("post-brand")).to_be_visible()
    expect(page.get_by_test_id("history-native")).to_contain_text(url)
    expect(page.get_by_test_id("composer-collision")).to_contain_text("platform's own app")
    expect(page.get_by_test_id("collision")).to_contain_text("platform's own app")
    expect(page.get_by_test_id("case-status").first).to_have_attribute("data-status", "replied")
    shot(page, "8-native-reply")


@pytest.mark.timeout(600)
def test_the_owner_is_notified_live_when_the_brand_answers_on_the_platform(
    stack: Stack, browser: Browser
) -> None:
    marker = uuid.uuid4().hex[:8]
    post_id = tweet(stack, "legal", f"Please erase my personal data under GDPR, ref {marker}")
    case = _case_of(stack, post_id)
    owner = str(case["assignee"])
    page = _page(browser, lang="fr-FR")
    sign_in(page, stack, owner)
    count = page.get_by_test_id("notifications-count")
    expect(page.get_by_test_id("nav-notifications")).to_be_visible()
    expect(page.get_by_test_id("live-state")).to_have_class(re.compile(r"\bon\b"))
    _brand_replies(stack, case, post_id, marker)
    expect(count).to_be_visible(timeout=60_000)  # arrives on the stream, no reload
    expect(count).to_have_text(re.compile(r"^[1-9]\d*$"))
    page.reload()  # the router keeps it unread: counted again on a fresh page
    expect(count).to_have_text(re.compile(r"^[1-9]\d*$"))
    page.get_by_test_id("nav-notifications").click()
    note = page.locator("[data-testid=notification][data-kind=native_reply]").filter(
        has_text=case["id"]
    )
    expect(note).to_have_count(1)
    expect(note.get_by_test_id("notification-kind")).to_have_text("répondu sur la plateforme")
    expect(note.get_by_test_id("notification-message")).to_contain_text("outside Chorus")
    expect(count).to_be_hidden()
    shot(page, "9-notifications-fr")
    page.reload()  # read when listed: a fresh page counts nothing
    expect(note).to_have_count(1)
    expect(count).to_be_hidden()
    note.get_by_test_id("notification-case").click()
    expect(page.get_by_test_id("post-brand")).to_be_visible()
