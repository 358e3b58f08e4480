"""HTTP_OTEL: FastAPI's OpenTelemetry instrumentation asks for providers only when it is on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from chorus_common.runtime import Runtime
from chorus_common.service_app import create_service_app
from chorus_common.settings import CommonSettings
from opentelemetry import trace
from sqlalchemy import Column, MetaData, String, Table


def _app(otel: bool) -> Any:
    metadata = MetaData()
    outbox = Table("outbox", metadata, Column("id", String, primary_key=True))
    runtime = Runtime(
        CommonSettings(http_otel=otel),
        metadata=metadata,
        migrations=Path("unused"),
        outbox_table=outbox,
    )
    return create_service_app(runtime, title="t", routers=[])


@pytest.mark.unit
@pytest.mark.parametrize("otel", [False, True])
async def test_requests_ask_opentelemetry_only_when_it_is_on(
    otel: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = 0
    real = trace.get_tracer_provider

    def counting() -> Any:
        nonlocal asked
        asked += 1
        return real()

    monkeypatch.setattr(trace, "get_tracer_provider", counting)
    app = _app(otel)
    # No lifespan: /healthz needs neither the broker nor the database.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for _ in range(3):
            assert (await client.get("/healthz")).status_code == 200
    assert (asked >= 3) if otel else (asked == 0)
