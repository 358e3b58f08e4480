"""Every service keeps its OpenAPI contract: Schemathesis against the four running services.

The services run as processes on a real broker (like `make run`); Schemathesis (pinned in
uv.lock) reads each one's /openapi.json and sends generated requests with an admin token:
boundary values (coverage phase), random valid and invalid input (fuzzing) and sequences
that follow links and Location headers (stateful). Passing means 0 server errors and 0
responses that break what the document says (status, content type, headers, body schema).
The four runs go side by side, each bounded in examples per operation.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.fixtures import token
from tests.support.system import System, system

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

SERVICES = ("ingest", "router", "responder", "analytics")
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance"
)
MAX_EXAMPLES = 10
SEED = 24
CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    # The rate limit is not under test here: a generated burst must not turn into 429s.
    env = {
        "RATE_LIMIT_PER_MINUTE": "10000000",
        "LOG_LEVEL": "WARNING",
        # A generated case id never reaches the responder: answer 503 at once, not after 3 s.
        "RESPONDER_CASE_WAIT_SECONDS": "0",
    }
    with system(tmp_path_factory.mktemp("contract"), extra_env=env) as s:
        yield s


def _requests_served(url: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=30).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("chorus_http_requests_total{")
    )


def _schemathesis(url: str, report: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(CONFIG),
            "run",
            f"{url}/openapi.json",
            "--header",
            f"Authorization: Bearer {token('admin')}",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            "--workers",
            "1",
            "--suppress-health-check",
            "all",
            "--request-timeout",
            "60",
            # Server-sent events never end; their contract is the media type alone.
            "--exclude-path",
            "/v1/stream",
            "--report",
            "junit",
            "--report-junit-path",
            str(report),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=report.parent,  # its cache (.schemathesis/) stays out of the work tree
    )


def _failures(output: str, log: Path) -> str:
    """Schemathesis's failure reports, and the service's last traceback (for a 500)."""
    start = output.find("= FAILURES =")
    end = output.find("= WARNINGS =", start)
    report = output[start:end] if start >= 0 else output[-4000:]
    text = log.read_text(errors="replace") if log.exists() else ""
    trace = text[text.rfind("Traceback") :][-3000:] if "Traceback" in text else ""
    return f"{report[:8000]}\n{trace}"


def test_no_service_answers_500_or_breaks_its_documented_schema(
    stack: System, tmp_path: Path
) -> None:
    urls = {name: stack.url(name) for name in SERVICES}
    before = {name: _requests_served(url) for name, url in urls.items()}
    started = time.monotonic()
    runs = {name: _schemathesis(url, tmp_path / f"{name}.xml") for name, url in urls.items()}
    outputs = {name: run.communicate(timeout=800)[0] for name, run in runs.items()}
    elapsed = time.monotonic() - started
    served = {name: _requests_served(url) - before[name] for name, url in urls.items()}
    print(f"schemathesis: {sum(served.values()):.0f} requests in {elapsed:.0f} s", served)
    failed = {
        name: _failures(out, stack.services[name].log_path)
        for name, out in outputs.items()
        if runs[name].returncode != 0
    }
    assert not failed, "\n\n".join(f"===== {n}\n{o}" for n, o in failed.items())
    for name, out in outputs.items():
        tested = re.search(r"Tested: (\d+)", out)
        assert tested and int(tested.group(1)) > 0, (name, out[-2000:])
        assert served[name] > 100, (name, served[name])
