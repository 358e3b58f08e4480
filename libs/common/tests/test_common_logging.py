"""Logs: JSON lines with the trace id; INFO holds decisions, not HTTP clients' request lines."""

from __future__ import annotations

import io
import logging

import httpx
import orjson
import pytest
from chorus_common.logging import configure_logging, trace_id_var

pytestmark = pytest.mark.unit


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    levels = {n: logging.getLogger(n).level for n in ("httpx", "httpcore", "aiokafka")}
    yield
    root.handlers[:], root.level = saved[0], saved[1]
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_http_client_requests_are_not_logged_at_info_but_decisions_are(restore_logging) -> None:
    configure_logging("router", "INFO", json=True)
    stderr = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stderr)
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    with httpx.Client(transport=transport) as client:
        client.get("http://platform.example/v2/tweets/1801796648792036002")
    token = trace_id_var.set("4bf92f3577b34da6a3ce929d0e0e4736")
    try:
        logging.getLogger("chorus_router.decisions").info(
            "post routed", extra={"post_id": "x:1", "team": "legal"}
        )
    finally:
        trace_id_var.reset(token)
    lines = [orjson.loads(ln) for ln in stderr.getvalue().splitlines()]
    assert [ln["msg"] for ln in lines] == ["post routed"]
    assert lines[0]["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert (lines[0]["post_id"], lines[0]["team"], lines[0]["service"]) == (
        "x:1",
        "legal",
        "router",
    )
    logging.getLogger("httpx").warning("HTTP client trouble")
    assert "HTTP client trouble" in stderr.getvalue(), "warnings still reach the log"
