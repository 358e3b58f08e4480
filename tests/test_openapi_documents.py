"""Each service's OpenAPI document: security, success schemas, problem errors; offline docs."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

pytestmark = pytest.mark.unit

SERVICES = ("ingest", "router", "responder", "analytics")
PROBLEM = "application/problem+json"


def _app(name: str) -> FastAPI:
    """The service's app as built, without starting it (nothing here needs its lifespan)."""
    app_mod = importlib.import_module(f"chorus_{name}.app")
    settings_mod = importlib.import_module(f"chorus_{name}.settings")
    settings_cls = getattr(settings_mod, f"{name.capitalize()}Settings")
    app: FastAPI = app_mod.create_app(settings_cls(environment="test"))
    return app


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield path, method, op


@pytest.mark.parametrize("name", SERVICES)
def test_every_operation_declares_security_a_success_schema_and_problem_errors(
    name: str,
) -> None:
    doc = _app(name).openapi()
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for path, method, op in _operations(doc):
        where = f"{name} {method.upper()} {path}"
        open_door = path in ("/healthz", "/readyz", "/metrics") or path.startswith("/v1/webhooks")
        assert op["security"] == ([] if open_door else [{"bearer": []}]), where
        responses = op["responses"]
        ok = [s for s in responses if s.startswith("2")]
        assert len(ok) == 1, where
        content = responses[ok[0]].get("content", {})
        assert ok[0] == "204" or any(c.get("schema") for c in content.values()), where
        for status, resp in responses.items():
            if status[0] in "45" and path != "/readyz":
                assert list(resp["content"]) == [PROBLEM], where
                ref = resp["content"][PROBLEM]["schema"]["$ref"]
                assert ref == "#/components/schemas/Problem", where
        assert "500" in responses, where
        if not open_door:
            assert {"401", "403", "429"} <= responses.keys(), where
            assert "Retry-After" in responses["429"]["headers"], where


def test_the_router_declares_if_match_where_it_reads_it() -> None:
    doc = _app("router").openapi()
    for path, method in (
        ("/v1/cases/{case_id}", "patch"),
        ("/v1/cases/{case_id}/assign", "post"),
        ("/v1/cases/{case_id}/transfer", "post"),
    ):
        params = {p["name"]: p for p in doc["paths"][path][method]["parameters"]}
        assert params["If-Match"]["required"], path
        assert "428" in doc["paths"][path][method]["responses"], path
    etag = doc["paths"]["/v1/cases/{case_id}"]["get"]["responses"]["200"]["headers"]
    assert "ETag" in etag


@pytest.mark.parametrize("name", SERVICES)
async def test_docs_and_redoc_load_every_asset_from_the_service(name: str) -> None:
    transport = httpx.ASGITransport(app=_app(name))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for page in ("/docs", "/redoc"):
            html = (await client.get(page)).text
            assets = re.findall(r"""(?:src|href|spec-url)=['"]([^'"]+)['"]""", html)
            assets += re.findall(r"""url: ?['"]([^'"]+)['"]""", html)
            assert len(assets) >= 3, html
            for asset in assets:
                assert not asset.startswith(("http:", "https:", "//")), (page, asset)
                r = await client.get(asset)
                assert r.status_code == 200 and r.content, (page, asset)
