"""The console in a browser when what it needs is not there: a sentence in the user's
language and a way forward, never a blank page."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from chorus_cli import console
from chorus_cli.embedded import free_port
from playwright.sync_api import expect, sync_playwright

from tests.support.console_stack import CHROMIUM, shot
from tests.support.wait import wait_for_sync

pytestmark = [pytest.mark.integration, pytest.mark.browser]


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """The console whose identity provider and services are all down."""
    console.install()
    dead = f"http://127.0.0.1:{free_port()}"
    config = console.default_config(issuer=dead, services={"router": dead, "responder": dead})
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            console.console_app(config), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/"

    def up() -> bool:
        try:
            return httpx.get(url + "readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for_sync(up, timeout=30, what="the console server")
    yield url
    server.should_exit = True
    thread.join(10)


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("locale", "sentence"),
    [("en-US", "cannot be reached"), ("fr-FR", "est injoignable")],
)
def test_an_unreachable_identity_provider_is_said_in_the_users_language(
    served: str, locale: str, sentence: str
) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_context(locale=locale).new_page()
            page.goto(served)
            page.get_by_test_id("sign-in").click()
            expect(page.get_by_test_id("signin-error")).to_contain_text(sentence, timeout=30_000)
            expect(page.get_by_test_id("sign-in")).to_be_visible()
            shot(page, f"0-idp-unreachable-{locale}")
        finally:
            browser.close()
