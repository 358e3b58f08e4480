"""`chorus run` starts the development identity provider (the demo directory's members sign
in) and the console, and tells every service to trust the one and answer the other."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
from chorus_cli.procs import SERVICES
from chorus_common.embedded import free_port

from tests.support.oidc import sign_in
from tests.support.wait import wait_for_sync

pytestmark = pytest.mark.e2e

_CLEARED = ("KAFKA_", "DATABASE_URL", "TOPIC_", "ENVIRONMENT", "TOKEN_", "OIDC_", "CORS_")


@dataclass
class Running:
    proc: subprocess.Popen[bytes]
    ports: dict[str, int]
    out: Path

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def said(self) -> str:
        return self.out.read_text(errors="replace")


def _answers(url: str) -> httpx.Response | None:
    try:
        r = httpx.get(url, timeout=5)
    except httpx.HTTPError:
        return None
    return r if r.status_code == 200 else None


@pytest.fixture
def chorus_run(tmp_path: Path, broker: str) -> Iterator[Running]:
    ports = {name: free_port() for name in (*SERVICES, "idp", "console")}
    argv = ["-m", "chorus_cli.main", "run", "--no-demo", "--var", str(tmp_path / "var")]
    argv += [f"--port={name}={port}" for name, port in ports.items()]
    env = {k: v for k, v in os.environ.items() if not k.startswith(_CLEARED)}
    out = tmp_path / "run.out"
    with out.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, *argv],
            stdout=fh,
            stderr=subprocess.STDOUT,
            env={**env, "KAFKA_BOOTSTRAP_SERVERS": broker, "ENVIRONMENT": "test"},
        )
    running = Running(proc, ports, out)
    try:
        yield running
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
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
