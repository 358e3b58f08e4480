"""Annotated dependencies and error helpers of the router API."""

from __future__ import annotations

from typing import Annotated, Any

from chorus_common.api_deps import SessionDep, etag
from chorus_common.auth import Principal, require
from chorus_common.problems import ApiProblem, not_found
from fastapi import Depends, Request

from chorus_router.core import RouterCore

__all__ = ["ApiProblem", "SessionDep", "etag", "not_found"]  # re-exported: the routes use them


def forbidden(message: str) -> ApiProblem:
    return ApiProblem(403, "forbidden", message)


def get_core(request: Request) -> RouterCore:
    core: RouterCore = request.app.state.core
    return core


def check_if_match(request: Request, version: int, *, required: bool) -> None:
    """412 when If-Match names another version; 428 when it is required and missing."""
    header = request.headers.get("if-match")
    if header is None:
        if required:
            raise ApiProblem(
                428, "precondition_required", "send If-Match with the ETag you last read"
            )
        return
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    if "*" not in tags and etag(version) not in tags:
        raise ApiProblem(
            412,
            "precondition_failed",
            f"the resource changed (now at version {version}); re-read it and retry",
            headers={"ETag": etag(version)},
        )


def jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


CoreDep = Annotated[RouterCore, Depends(get_core)]
CasesReader = Annotated[Principal, Depends(require("cases:read"))]
CasesWriter = Annotated[Principal, Depends(require("cases:write"))]
CasesAssigner = Annotated[Principal, Depends(require("cases:assign"))]
DirectoryReader = Annotated[Principal, Depends(require("directory:read"))]
DirectoryWriter = Annotated[Principal, Depends(require("directory:write"))]
RulesReader = Annotated[Principal, Depends(require("rules:read"))]
RulesWriter = Annotated[Principal, Depends(require("rules:write"))]
