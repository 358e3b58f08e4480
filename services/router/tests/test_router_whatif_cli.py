"""`chorus routing what-if rules.yaml --since 1d --roster roster.yaml` sends the files to the
router and prints the comparison table (the router's answer here is a real what-if result)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import yaml
from chorus_cli import routing
from chorus_cli.main import main
from chorus_router.app import create_app

from services.router.tests.router_accountability_support import (
    ADMIN,
    T0,
    Clock,
    settings,
    wait_cases,
)
from services.router.tests.router_support import encode, make_post, post_event
from tests.support.fixtures import running


@pytest.mark.unit
async def test_cli_posts_the_yaml_files_and_prints_both_columns(
    memory_broker, sqlite_url, tmp_path, monkeypatch, capsys
) -> None:
    clock = Clock(T0 - timedelta(hours=3))
    app = create_app(settings(sqlite_url), bus=memory_broker)
    app.state.core.clock = clock
    async with running(app) as client:
        texts = ["I want a refund for order 12", "Where is my parcel?", "Refund me please"]
        posts = [
            make_post(t, received_at=clock.now + timedelta(minutes=i)) for i, t in enumerate(texts)
        ]
        await memory_broker.append(encode([post_event(p) for p in posts]))
        await wait_cases(client, 3, what="three cases")
        clock.now = T0
        rules = (await client.get("/v1/rules", headers=ADMIN)).json()
        for r in rules["rules"]:
            if r["id"] == "support-refund":
                r["then"]["approvals"] = ["legal"]
        members = (await client.get("/v1/members", headers=ADMIN)).json()
        (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True))
        (tmp_path / "roster.yaml").write_text(yaml.safe_dump(members, allow_unicode=True))
        expected_body = routing.body_of(
            routing.build_args(
                [
                    str(tmp_path / "rules.yaml"),
                    "--since",
                    "1d",
                    "--roster",
                    str(tmp_path / "roster.yaml"),
                ]
            )
        )
        real = await client.post("/v1/rules/what-if", json=expected_body, headers=ADMIN)
        assert real.status_code == 200, real.text

    seen: list[httpx.Request] = []

    def router(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=real.json())

    monkeypatch.setattr(
        routing,
        "client_for",
        lambda url: httpx.Client(base_url=url, transport=httpx.MockTransport(router)),
    )
    monkeypatch.setenv("CHORUS_TOKEN", "tok-123")
    code = main(
        [
            "routing",
            "what-if",
            str(tmp_path / "rules.yaml"),
            "--since",
            "1d",
            "--roster",
            str(tmp_path / "roster.yaml"),
            "--url",
            "http://router.test",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    (req,) = seen
    assert req.url == "http://router.test/v1/rules/what-if"
    assert req.headers["authorization"] == "Bearer tok-123"
    sent = yaml.safe_load(req.content)
    assert sent["since"] == "1d" and len(sent["rules"]) == len(rules["rules"])
    assert "load" not in sent["roster"][0], "read-only member fields are dropped"
    assert "actual" in out and "proposed" in out
    assert "cases per team" in out and "SLA attainment" in out
    assert "cases that would change: 2" in out
    assert "approvals [] → ['legal']" in out
