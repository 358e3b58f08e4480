"""What every service's OpenAPI document declares beyond FastAPI's defaults.

Routes declare what is theirs (``responses=problem(404, "case_not_found")``,
``openapi_extra=request_headers(IF_MATCH)``); :func:`install_openapi` adds what every
operation shares: the bearer scheme (``security: []`` where no token is asked), and the
problem responses the shared plumbing can give (401/403 with a token, 422 with input, 413
with a body, 429 with ``Retry-After``, 404 with a path parameter, 500), all with the
``Problem`` schema as ``application/problem+json``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.security import HTTPBearer
from pydantic.json_schema import models_json_schema

from chorus_common.problems import PROBLEM_JSON, FieldProblem, Problem

BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="JWT",
    description="A Chorus token (`chorus token create --role R …`; its role and scopes "
    "decide what the caller may do) or an access token of the organization's OpenID "
    "provider (`OIDC_ISSUER`; the directory member it maps to decides).",
)

# Paths the rate limit and the token leave alone.
OPS_PATHS = ("/healthz", "/readyz", "/metrics")

_SHARED: dict[int, str] = {
    400: "The body is not UTF-8 text: `bad_request`.",
    401: "No valid bearer token: `missing_token`, `token_invalid`, `token_expired`.",
    403: "The token lacks a scope or the caller may not see this: `insufficient_scope`, "
    "`forbidden`; the directory has no such member, or not an active one: `member_unknown`, "
    "`member_inactive`.",
    404: "Nothing at this path: `not_found`, or the resource's own `<what>_not_found`.",
    413: "The body is larger than `MAX_BODY_BYTES`: `body_too_large`.",
    422: "Invalid input: `validation_error`, with the first `field` and, when several are "
    "wrong, every one in `errors`.",
    429: "Too many requests from this caller: `rate_limited`; retry after `Retry-After` s.",
    500: "The server failed: `internal_error` (no details are given).",
    503: "Who the token is could not be checked (the OpenID provider or the directory did not "
    "answer): `idp_unavailable`, `directory_unavailable`; retry after `Retry-After` s.",
}

RETRY_AFTER = {
    "description": "seconds to wait before retrying",
    "schema": {"type": "integer", "minimum": 1},
}
ETAG = {
    "description": "the version of the resource, for `If-Match` on the next write",
    "schema": {"type": "string", "pattern": '^"[0-9]+"$'},
}


def problem(status: int, *codes: str, description: str = "") -> dict[int | str, dict[str, Any]]:
    """An error response of one operation, naming the ``code`` values it can carry."""
    text = description or (", ".join(f"`{c}`" for c in codes) + "." if codes else "")
    return {status: {"description": text or _SHARED.get(status, "Error.")}}


def with_etag(status: int = 200) -> dict[int | str, dict[str, Any]]:
    """A success response that carries the resource's ``ETag``."""
    return {status: {"description": "Successful Response", "headers": {"ETag": ETAG}}}


EVENT_STREAM: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "server-sent events until the client disconnects (`: ping` comments "
        "keep it open)",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}


def links(
    status: int, targets: dict[str, tuple[str, str, dict[str, str]]], *, etag: bool = False
) -> dict[int | str, dict[str, Any]]:
    """A success response with OpenAPI links: name -> (path, method, parameters), the
    parameters being runtime expressions such as ``$response.body#/id`` (and its ``ETag``)."""
    out = {
        name: {
            "operationRef": "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method,
            "parameters": params,
        }
        for name, (path, method, params) in targets.items()
    }
    headers = {"ETag": ETAG} if etag else {}
    return {status: {"description": "Successful Response", "headers": headers, "links": out}}


def created_links(
    kind: str, param: str, targets: Sequence[tuple[str, str, str]], *, etag: bool = False
) -> dict[int | str, dict[str, Any]]:
    """201 with links from the created ``kind`` to its operations, (name, path, method) each,
    that take its ``id`` as the path parameter ``param``."""
    params = {param: "$response.body#/id"}
    return links(
        201,
        {f"{name}_{kind}": (path, method, params) for name, path, method in targets},
        etag=etag,
    )


def header_param(name: str, description: str, *, required: bool) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": required,
        "description": description,
        "schema": {"type": "string"},
    }


IF_MATCH_REQUIRED = header_param(
    "If-Match", "the ETag last read; 428 without it, 412 when the resource changed", required=True
)
IF_MATCH_OPTIONAL = header_param(
    "If-Match", "the ETag last read; when sent, 412 if the resource changed", required=False
)


def request_headers(*params: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` declaring request headers the route reads itself."""
    return {"parameters": list(params)}


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _add_problems(path: str, op: dict[str, Any]) -> None:
    responses: dict[str, Any] = op.setdefault("responses", {})
    params = op.get("parameters", [])
    wanted = [500]
    if path not in OPS_PATHS:
        wanted.append(429)
    if op.get("security"):
        wanted += [401, 403, 503]
    else:
        op["security"] = []
    if params or "requestBody" in op:
        wanted.append(422)
    if "requestBody" in op:
        wanted += [400, 413]
    if any(p.get("in") == "path" for p in params):
        wanted.append(404)
    for status in wanted:
        responses.setdefault(str(status), {"description": _SHARED[status]})
    for key, resp in responses.items():
        if key[:1] not in ("4", "5"):
            continue
        content = resp.get("content")
        if content and "HTTPValidationError" not in str(content):
            continue  # a body of its own (the 503 of /readyz)
        if resp.get("description") in ("Validation Error", "", None):
            resp["description"] = _SHARED.get(int(key), "Error.")
        resp["content"] = _problem_content()
        if key in ("429", "503"):
            resp.setdefault("headers", {})["Retry-After"] = RETRY_AFTER
        if key == "401":
            resp.setdefault("headers", {})["WWW-Authenticate"] = {
                "description": "`Bearer`",
                "schema": {"type": "string"},
            }


def _schema(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    _, defs = models_json_schema(
        [(Problem, "serialization"), (FieldProblem, "serialization")],
        ref_template="#/components/schemas/{model}",
    )
    schemas.update(defs["$defs"])
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if method in ("get", "put", "post", "patch", "delete", "head", "options"):
                _add_problems(path, op)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return doc


def install_openapi(app: FastAPI) -> None:
    """Replace ``app.openapi`` with the enriched document (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _schema(app)
        return app.openapi_schema

    build: Callable[[], dict[str, Any]] = openapi
    app.openapi = build  # type: ignore[method-assign]
