"""`POST /v1/posts`: the generic JSON shape for internal systems (one post or a batch)."""

from __future__ import annotations

import uuid

import orjson
from chorus_common.openapi import problem
from chorus_platforms.generic.inbound import load_items, normalize_marked
from chorus_platforms.kit.inbound import NormalizeError
from fastapi import APIRouter, Request
from fastapi.responses import Response

from chorus_ingest.api.deps import IntakeDep, PostsWriter, SettingsDep
from chorus_ingest.api.responses import error, results_response
from chorus_ingest.api.schemas import IntakeResultRead
from chorus_ingest.batch import Batch, Rejected

router = APIRouter(prefix="/v1", tags=["posts"])

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "description": 'one post, {"posts": [...]}, or a JSON array of posts '
                    "(generic shape: id, channel, text, author.id, created_at, …)",
                    "type": "object",
                }
            }
        },
    }
}


@router.post(
    "/posts",
    openapi_extra=_BODY_DOC,
    response_model=IntakeResultRead,
    responses=problem(
        413,
        description="`body_too_large`, or `too_many_items` past `MAX_BATCH_ITEMS` posts",
    )
    | problem(
        422,
        description="`invalid_json` and the other item codes: the body is unreadable, or every "
        "item was rejected (then the counts and `results` come with the problem)",
    ),
)
async def post_posts(
    request: Request, _: PostsWriter, intake: IntakeDep, settings: SettingsDep
) -> Response:
    """Accept, dedup and publish generic posts; per-item results; idempotent by post id."""
    body = await request.body()
    try:
        items = load_items(body)
    except NormalizeError as exc:
        await intake.dead_letter(
            Rejected(exc.code, str(exc), body, exc.field),
            source="generic",
            trace_id=uuid.uuid4().hex,
        )
        return error(422, exc.code, str(exc), exc.field)
    if len(items) > settings.max_batch_items:
        return error(413, "too_many_items", f"at most {settings.max_batch_items} posts", "posts")
    marked, errors = normalize_marked(items)
    batch = Batch(
        source="generic",
        posts=[(index, m.post) for index, m in marked],
        markers=[m.marker for _, m in marked],
        rejected=[
            Rejected(e.code, e.message, orjson.dumps(e.raw), e.field, e.index, e.native_id)
            for e in errors
        ],
        raw_body=body,
        content_type=request.headers.get("content-type"),
    )
    return results_response(await intake.submit_grouped(batch))
