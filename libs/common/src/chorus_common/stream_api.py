"""What the two live streams' routes (router and responder ``GET /v1/stream``) share."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from chorus_common.openapi import EVENT_STREAM, header_param, request_headers
from chorus_common.tickets import STREAM_PROBLEMS, ticket_router

# The documentation of ``GET /v1/stream``: its event stream, its problems, Last-Event-ID.
STREAM_ROUTE: dict[str, Any] = {
    "responses": EVENT_STREAM | STREAM_PROBLEMS,
    "openapi_extra": request_headers(
        header_param("Last-Event-ID", "resume after this event id", required=False)
    ),
}


def stream_router(scope: str) -> APIRouter:
    """The ``/v1`` router of a live stream, with the ticket endpoint a browser signs in by."""
    router = APIRouter(prefix="/v1", tags=["stream"])
    router.include_router(ticket_router(scope, prefix=""))
    return router
