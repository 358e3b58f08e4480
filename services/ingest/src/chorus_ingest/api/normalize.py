"""`POST /v1/normalize/{platform}`: a dry run of a connector on a raw body; publishes nothing."""

from __future__ import annotations

from typing import Any

from chorus_common.contracts.events import utcnow
from chorus_common.openapi import problem
from chorus_platforms.kit.inbound import Fetch, RawInput
from chorus_platforms.registry import CONNECTORS
from fastapi import APIRouter, Request
from fastapi.responses import Response

from chorus_ingest.api.deps import PostsWriter
from chorus_ingest.api.responses import error, json_response
from chorus_ingest.api.schemas import NormalizeRead, PlatformPath
from chorus_ingest.envelopes import enrich_for_publish
from chorus_ingest.webhooks import Refused, normalize_safely

router = APIRouter(prefix="/v1", tags=["normalize"])


@router.post(
    "/normalize/{platform}",
    response_model=NormalizeRead,
    responses=problem(404, "unknown_platform")
    | problem(
        422,
        description="the body as a whole cannot be read: the connector's code "
        "(`invalid_json`, `invalid_payload`, …) and field",
    ),
)
async def normalize(platform: PlatformPath, request: Request, _: PostsWriter) -> Response:
    """Normalize and enrich the body exactly as the platform sends it; no side effect."""
    connector = CONNECTORS.get(platform)
    if connector is None:
        return error(404, "unknown_platform", "no connector for this platform", "platform")
    query = dict(request.query_params)
    raw = RawInput(
        body=await request.body(),
        content_type=request.headers.get("content-type", ""),
        headers={k.lower(): v for k, v in request.headers.items()},
        channel=query.get("channel"),
        query=query,
    )
    result = normalize_safely(connector, raw)
    if isinstance(result, Refused):
        return error(result.status, result.code, result.message, result.field)
    now = utcnow()
    return json_response(
        {
            "posts": [enrich_for_publish(p, now).model_dump(mode="json") for p in result.posts],
            "errors": [_err(e.code, e.message, e.field, e.index) for e in result.errors],
            "skipped": [
                {"index": k.index, "code": k.code, "reason": k.reason} for k in result.skipped
            ],
            "fetches": [_fetch(f) for f in result.fetches],
        }
    )


def _fetch(fetch: Fetch) -> dict[str, Any]:
    url = fetch.base.rstrip("/") + "/" + fetch.path.lstrip("/")
    return {"index": fetch.index, "native_id": fetch.native_id, "url": url,
            "params": dict(fetch.params)}  # fmt: skip


def _err(code: str, message: str, field: str | None, index: int | None) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field, "index": index}
