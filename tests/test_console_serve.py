"""`chorus console`: the console's files, its configuration and its one library, served
with a content security policy that names only the configured origins."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import httpx
import pytest
from chorus_cli import console
from chorus_cli.main import build_parser
from chorus_common.contracts.platforms import PLATFORMS

CATALOGUE = console.CONSOLE / "js" / "messages.js"


@pytest.fixture(scope="module")
def installed() -> None:
    console.install()


async def _client(config: dict[str, object]) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=console.console_app(config))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080")


@pytest.mark.unit
async def test_serves_the_page_its_config_and_the_openid_library(installed: None) -> None:
    config = console.default_config(issuer="http://127.0.0.1:9400")
    async with await _client(config) as client:
        page = await client.get("/")
        cfg = await client.get("/config.json")
        lib = await client.get("/vendor/oidc-client-ts.min.js")
        module = await client.get("/js/main.js")
        missing = await client.get("/js/nothing.js")
    assert page.status_code == 200 and 'data-testid="view"' in page.text
    assert cfg.json() == {
        "issuer": "http://127.0.0.1:9400",
        "client_id": "chorus-console",
        "services": {
            "ingest": "http://127.0.0.1:8001",
            "router": "http://127.0.0.1:8002",
            "responder": "http://127.0.0.1:8003",
            "analytics": "http://127.0.0.1:8004",
        },
        "languages": ["en", "fr"],
        "platforms": list(PLATFORMS),
    }
    assert lib.status_code == 200 and "UserManager" in lib.text
    assert "javascript" in module.headers["content-type"]
    assert missing.status_code == 404
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "connect-src 'self' http://127.0.0.1:9400 http://127.0.0.1:8001" in csp


@pytest.mark.unit
def test_a_config_file_overrides_the_defaults_and_a_bad_one_is_named(tmp_path: Path) -> None:
    good = tmp_path / "console.json"
    good.write_text(
        json.dumps({"issuer": "https://id.example", "services": {"router": "https://r"}})
    )
    cfg = console.load_config(good)
    assert cfg["issuer"] == "https://id.example" and cfg["client_id"] == "chorus-console"
    assert cfg["services"]["router"] == "https://r"
    assert cfg["services"]["responder"] == "http://127.0.0.1:8003"
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    with pytest.raises(console.ConsoleError, match=r"bad\.json: expected a JSON object"):
        console.load_config(bad)
    args = build_parser().parse_args(["console", "--port", "8181", "--config", str(good)])
    assert (args.port, args.config, args.func) == (8181, good, console.run)


def _keys(language: str) -> set[str]:
    text = CATALOGUE.read_text()
    start = text.index(f"  {language}: {{")
    end = text.index("\n  },", start)
    return set(re.findall(r'^\s+"([a-z_.\-]+)":', text[start:end], re.M))


@pytest.mark.unit
def test_both_languages_say_every_sentence() -> None:
    en, fr = _keys("en"), _keys("fr")
    assert len(en) > 150
    assert en == fr, sorted(en ^ fr)
    for code in ("member_unknown", "collision", "four_eyes", "missing_variable", "too_long"):
        assert f"problem.{code}" in en


@pytest.mark.unit
def test_every_notification_kind_has_a_label_in_both_languages() -> None:
    from typing import get_args

    from chorus_common.streams import NotificationKind

    kinds = set(get_args(NotificationKind))
    assert "native_reply" in kinds
    for language in ("en", "fr"):
        assert {f"notif.{k}" for k in kinds} <= _keys(language), language


# What the console calls: every problem code these operations document has a sentence.
CALLED = {
    "router": [
        ("get", "/v1/cases"),
        ("get", "/v1/cases/{case_id}"),
        ("get", "/v1/cases/{case_id}/posts"),
        ("get", "/v1/cases/{case_id}/accountability"),
        ("post", "/v1/cases/{case_id}/resolve"),
        ("post", "/v1/cases/{case_id}/reopen"),
        ("post", "/v1/cases/{case_id}/assign"),
        ("get", "/v1/me"),
        ("get", "/v1/notifications"),
        ("post", "/v1/notifications/read"),
        ("get", "/v1/members"),
        ("get", "/v1/members/{member_id}"),
        ("put", "/v1/members/{member_id}/availability"),
        ("get", "/v1/teams"),
        ("get", "/v1/teams/{team_id}/fairness"),
        ("post", "/v1/stream/tickets"),
        ("get", "/v1/stream"),
    ],
    "responder": [
        ("get", "/v1/cases/{case_id}/replies"),
        ("post", "/v1/cases/{case_id}/replies"),
        ("get", "/v1/replies"),
        ("get", "/v1/replies/{reply_id}"),
        ("patch", "/v1/replies/{reply_id}"),
        ("post", "/v1/replies/{reply_id}/approve"),
        ("post", "/v1/replies/{reply_id}/reject"),
        ("post", "/v1/replies/{reply_id}/send"),
        ("get", "/v1/templates"),
        ("post", "/v1/text-length"),
        ("post", "/v1/stream/tickets"),
        ("get", "/v1/stream"),
    ],
}
NOT_CODES = {"errors", "field"}  # named in the descriptions, members of the problem


@pytest.mark.unit
@pytest.mark.parametrize("service", sorted(CALLED))
def test_every_problem_the_console_can_meet_has_a_sentence(service: str) -> None:
    app = importlib.import_module(f"chorus_{service}.app")
    settings = importlib.import_module(f"chorus_{service}.settings")
    settings_cls = getattr(settings, f"{service.capitalize()}Settings")
    doc = app.create_app(settings_cls(environment="test")).openapi()
    codes: set[str] = set()
    for method, path in CALLED[service]:
        operation = doc["paths"][path][method]
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                codes |= set(re.findall(r"`([a-z_]+)`", response.get("description", "")))
    said = {key.removeprefix("problem.") for key in _keys("en") if key.startswith("problem.")}
    assert codes - NOT_CODES - said == set()
