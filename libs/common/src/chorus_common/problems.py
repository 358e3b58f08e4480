"""The one error shape of every service: RFC 9457 ``application/problem+json``.

Routes raise :class:`ApiProblem`; :func:`install_problem_handlers` turns it, request
validation errors, Starlette's own HTTP errors (unmatched route, method not allowed) and any
unexpected exception into a :class:`Problem` body. Middleware that answers before the app
(body limit, rate limit) builds the same body with :func:`problem_response`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, TypedDict, Unpack

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DataError, DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:chorus:problem:"

# The code Starlette's own errors get (no route, wrong method, …), by status.
_STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class FieldProblem(BaseModel):
    """One invalid field of a request that had several."""

    field: str = Field(description="dotted path of the field, e.g. `query.limit`, `body.name`")
    reason: str


class Problem(BaseModel):
    """An error (RFC 9457). `code` is stable and is what clients should branch on."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(
        description="`urn:chorus:problem:<code>`", examples=["urn:chorus:problem:case_not_found"]
    )
    title: str = Field(description="the HTTP status phrase", examples=["Not Found"])
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="what went wrong with this request, for a person")
    code: str = Field(description="stable machine-readable code", examples=["case_not_found"])
    field: str | None = Field(
        default=None, description="the offending field, when one is to blame (`query.cursor`)"
    )
    errors: list[FieldProblem] | None = Field(
        default=None, description="every invalid field, when a validation failed on several"
    )


class ApiProblem(Exception):
    """An error to answer as a :class:`Problem`; ``extra`` adds extension members."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[FieldProblem] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field
        self.headers = dict(headers) if headers else None
        self.errors = list(errors) if errors else None
        self.extra = dict(extra) if extra else {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            **self.extra,
            "type": TYPE_PREFIX + self.code,
            "title": title_of(self.status),
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
            "field": self.field,
        }
        if self.errors:
            body["errors"] = [e.model_dump() for e in self.errors]
        return body

    def response(self) -> Response:
        return Response(
            orjson.dumps(self.body(), default=str),
            status_code=self.status,
            media_type=PROBLEM_JSON,
            headers=self.headers,
        )


class ProblemOptions(TypedDict, total=False):
    """The optional members of an :class:`ApiProblem`."""

    field: str | None
    headers: Mapping[str, str] | None
    errors: Sequence[FieldProblem] | None
    extra: Mapping[str, Any] | None


def not_found(what: str, ident: object) -> ApiProblem:
    return ApiProblem(404, f"{what}_not_found", f"no {what} {ident!r}")


def title_of(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_response(
    status: int, code: str, detail: str, **options: Unpack[ProblemOptions]
) -> Response:
    """The answer an :class:`ApiProblem` gets, for code that answers instead of raising."""
    return ApiProblem(status, code, detail, **options).response()


async def _api_problem(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiProblem)
    return exc.response()


def _field_of(loc: Sequence[Any]) -> str:
    """``("query", "limit")`` → ``query.limit``; body fields without the ``body.`` prefix."""
    return ".".join(str(p) for p in loc if p != "body") or "body"


async def _validation(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldProblem(field=_field_of(e.get("loc", ())), reason=str(e.get("msg", "invalid")))
        for e in exc.errors()
    ] or [FieldProblem(field="body", reason="invalid request")]
    first = errors[0]
    return problem_response(
        422,
        "validation_error",
        f"{first.field}: {first.reason}",
        field=first.field,
        errors=errors if len(errors) > 1 else None,
    )


async def _http(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = _STATUS_CODES.get(status, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) else title_of(status)
    if status == 404 and detail == "Not Found":
        detail = "no such route"
    return problem_response(status, code, detail, headers=exc.headers)


async def _data_error(request: Request, exc: Exception) -> Response:
    # The database refused a value the API let through (too long, out of range, a NUL:
    # SQLSTATE class 22): the request is at fault, not the server. Other errors stay 500s.
    assert isinstance(exc, DBAPIError)
    sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
    route = getattr(request.scope.get("route"), "path", "unmatched")
    if not isinstance(exc, DataError) and not sqlstate.startswith("22"):
        # Handled here, so not re-raised to the server: the traceback is logged here.
        log.error("database error", exc_info=exc, extra={"route": route})
        return await _unexpected(request, exc)
    log.warning("value refused by the database", extra={"route": route, "sqlstate": sqlstate})
    return problem_response(
        422, "invalid_value", "a value in this request cannot be stored (too long or out of range)"
    )


async def _unexpected(_request: Request, _exc: Exception) -> Response:
    # Starlette re-raises after this answer, so the server logs the traceback; the client
    # gets none of it.
    return problem_response(500, "internal_error", "the server failed to answer this request")


def install_problem_handlers(app: FastAPI) -> None:
    """Every error the app answers becomes a :class:`Problem`."""
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(DBAPIError, _data_error)
    app.add_exception_handler(Exception, _unexpected)
