"""Annotated dependencies and error helpers of the router API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from chorus_common.auth import Principal, require
from chorus_common.http import error_body
from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router.core import RouterCore


class ApiError(Exception):
    """An error answered as ``{"error": {"code", "message", "field"}}`` with ``status``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.field = field
        self.headers = headers


async def api_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(
        error_body(exc.code, str(exc), exc.field), status_code=exc.status, headers=exc.headers
    )


def not_found(what: str, id_: str) -> ApiError:
    return ApiError(404, f"{what}_not_found", f"no {what} {id_!r}")


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def get_core(request: Request) -> RouterCore:
    core: RouterCore = request.app.state.core
    return core


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with get_core(request).runtime.sessionmaker() as session:
        yield session


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(request: Request, version: int, *, required: bool) -> None:
    """412 when If-Match names another version; 428 when it is required and missing."""
    header = request.headers.get("if-match")
    if header is None:
        if required:
            raise ApiError(
                428, "precondition_required", "send If-Match with the ETag you last read"
            )
        return
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    if "*" not in tags and etag(version) not in tags:
        raise ApiError(
            412,
            "precondition_failed",
            f"the resource changed (now at version {version}); re-read it and retry",
            headers={"ETag": etag(version)},
        )


def jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


CoreDep = Annotated[RouterCore, Depends(get_core)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
CasesReader = Annotated[Principal, Depends(require("cases:read"))]
CasesWriter = Annotated[Principal, Depends(require("cases:write"))]
CasesAssigner = Annotated[Principal, Depends(require("cases:assign"))]
DirectoryReader = Annotated[Principal, Depends(require("directory:read"))]
DirectoryWriter = Annotated[Principal, Depends(require("directory:write"))]
RulesReader = Annotated[Principal, Depends(require("rules:read"))]
RulesWriter = Annotated[Principal, Depends(require("rules:write"))]
