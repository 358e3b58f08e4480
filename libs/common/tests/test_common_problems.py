"""Every error a service answers is one RFC 9457 problem, and its OpenAPI document says so."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import pytest
from chorus_common.auth import Principal, create_token, require
from chorus_common.http import install_http
from chorus_common.metrics import Metrics
from chorus_common.openapi import IF_MATCH_REQUIRED, install_openapi, problem, request_headers
from chorus_common.problems import PROBLEM_JSON, ApiProblem
from chorus_common.settings import DEV_TOKEN_SECRET, CommonSettings
from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel
from sqlalchemy.exc import DataError

pytestmark = pytest.mark.unit

PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "field"}


class Thing(BaseModel):
    name: str
    size: int


def _app(*, max_body: int = 1000, per_minute: int = 1000) -> FastAPI:
    app = FastAPI()
    app.state.settings = CommonSettings()
    install_openapi(app)
    install_http(
        app,
        metrics=Metrics("test"),
        max_body_bytes=max_body,
        rate_per_minute=per_minute,
        identify=lambda _token: None,  # every caller shares its address's bucket here
    )

    @app.get("/things/{name}", responses=problem(409, "thing_busy"))
    async def get_thing(name: str, limit: Annotated[int, Query(ge=1, le=10)] = 5) -> Thing:
        if name == "busy":
            raise ApiProblem(409, "thing_busy", "the thing is busy", field="name")
        if name == "boom":
            raise RuntimeError("secret internals")
        if name == "huge":
            raise DataError("INSERT …", {}, ValueError("value too long for type varchar(64)"))
        return Thing(name=name, size=limit)

    @app.post("/things", openapi_extra=request_headers(IF_MATCH_REQUIRED))
    async def make_thing(
        thing: Thing, _p: Annotated[Principal, Depends(require("rules:write"))]
    ) -> Thing:
        return thing

    return app


def _client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://t")


def _problem(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = r.json()
    assert body.keys() >= PROBLEM_KEYS
    assert (body["status"], body["code"], body["type"]) == (
        status,
        code,
        f"urn:chorus:problem:{code}",
    )
    assert body["title"] and body["detail"]
    return body


async def test_route_errors_unmatched_routes_wrong_methods_and_crashes_are_problems() -> None:
    async with _client(_app()) as c:
        body = _problem(await c.get("/things/busy"), 409, "thing_busy")
        assert body["field"] == "name"
        _problem(await c.get("/nowhere"), 404, "not_found")
        _problem(await c.delete("/things/x"), 405, "method_not_allowed")
        body = _problem(await c.get("/things/boom"), 500, "internal_error")
        assert "secret" not in str(body)
        body = _problem(await c.get("/things/huge"), 422, "invalid_value")
        assert "varchar" not in str(body)


async def test_validation_names_the_field_and_lists_every_one_when_several() -> None:
    async with _client(_app()) as c:
        body = _problem(await c.get("/things/x?limit=99"), 422, "validation_error")
        assert body["field"] == "query.limit"
        assert "errors" not in body
        token = create_token(DEV_TOKEN_SECRET, sub="a", role="admin")
        r = await c.post("/things", json={}, headers={"Authorization": f"Bearer {token}"})
        body = _problem(r, 422, "validation_error")
        assert {e["field"] for e in body["errors"]} == {"name", "size"}


async def test_body_limit_and_rate_limit_answer_problems() -> None:
    async with _client(_app(max_body=10, per_minute=2)) as c:
        _problem(await c.post("/things", content=b"x" * 100), 413, "body_too_large")
        r = await c.get("/things/x")
        while r.status_code != 429:
            r = await c.get("/things/x")
        _problem(r, 429, "rate_limited")
        assert int(r.headers["retry-after"]) >= 1


def test_openapi_declares_security_headers_and_problem_responses() -> None:
    doc = _app().openapi()
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "Problem" in doc["components"]["schemas"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    get_op = doc["paths"]["/things/{name}"]["get"]
    post_op = doc["paths"]["/things"]["post"]
    assert get_op["security"] == []
    assert post_op["security"] == [{"bearer": []}]
    assert {"404", "409", "422", "429", "500"} <= get_op["responses"].keys()
    assert {"401", "403", "413", "422", "429", "500"} <= post_op["responses"].keys()
    for op in (get_op, post_op):
        for status, resp in op["responses"].items():
            if status[0] in "45":
                ref = resp["content"][PROBLEM_JSON]["schema"]["$ref"]
                assert ref == "#/components/schemas/Problem"
    assert "Retry-After" in get_op["responses"]["429"]["headers"]
    assert "`thing_busy`" in get_op["responses"]["409"]["description"]
    assert any(p["name"] == "If-Match" and p["required"] for p in post_op["parameters"])
