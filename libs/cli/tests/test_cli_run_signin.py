"""`chorus run` starts the development identity provider (the demo directory's members sign
in) and the console, and tells every service to trust the one and answer the other."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from chorus_cli.procs import SERVICES

from tests.support.chorus_run import Running, start, stop
from tests.support.oidc import sign_in
from tests.support.wait import wait_for_sync

pytestmark = pytest.mark.e2e


def _answers(url: str) -> httpx.Response | None:
    try:
        r = httpx.get(url, timeout=5)
    except httpx.HTTPError:
        return None
    return r if r.status_code == 200 else None


@pytest.fixture
def chorus_run(tmp_path: Path, broker: str) -> Iterator[Running]:
    names = (*SERVICES, "idp", "console")
    env = {"KAFKA_BOOTSTRAP_SERVERS": broker, "ENVIRONMENT": "test"}
    running = start(tmp_path, names, ["--no-demo"], env)
    try:
        yield running
    finally:
        stop(running.proc)
        print(running.said()[-3000:])


@pytest.mark.timeout(360)
def test_chorus_run_serves_sign_in_and_the_console(chorus_run: Running) -> None:
    def ready() -> bool:
        return "Ctrl-C stops everything" in chorus_run.said() or chorus_run.proc.poll() is not None

    wait_for_sync(ready, timeout=240, interval=0.5, what="chorus run started")
    assert chorus_run.proc.poll() is None, chorus_run.said()
    issuer = chorus_run.url("idp")
    discovery = _answers(f"{issuer}/.well-known/openid-configuration")
    assert discovery is not None and discovery.json()["issuer"] == issuer

    # A demo member signs in to the console's client and gets a token for the services.
    console = chorus_run.url("console")
    token = sign_in(
        issuer,
        client_id="chorus-console",
        redirect_uri=f"{console}/",
        login="marc@demo.chorus.example",
        password="demo",
    )
    assert token["access_token"].count(".") == 2

    config = _answers(f"{console}/config.json")
    assert config is not None, chorus_run.said()
    assert config.json()["issuer"] == issuer
    assert config.json()["client_id"] == "chorus-console"
    assert config.json()["services"] == {n: chorus_run.url(n) for n in SERVICES}

    said = chorus_run.said()
    assert f"console   {console}/" in said and "marc" in said and "password 'demo'" in said
    children = psutil.Process(chorus_run.proc.pid).children(recursive=True)
    services = [p for p in children if any(f"chorus_{n}" in p.cmdline() for n in SERVICES)]
    assert len(services) == len(SERVICES)
    for p in services:
        env = p.environ()
        assert env["OIDC_ISSUER"] == issuer
        assert env["OIDC_AUDIENCE"] == "urn:chorus:api"
        assert env["CORS_ALLOW_ORIGINS"] == console

    chorus_run.proc.send_signal(signal.SIGTERM)
    assert chorus_run.proc.wait(60) == 0
    assert not [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert _answers(f"{issuer}/.well-known/openid-configuration") is None
    assert (
        json.loads((Path(chorus_run.out.parent) / "var" / "console-config.json").read_text())[
            "issuer"
        ]
        == issuer
    )
