"""`GET /v1/posts/{post_id}` and `GET /v1/posts?url=`: where a post entered Chorus (for
`chorus trace`): when ingest accepted it, its revisions and their trace ids. No text, no author."""

from __future__ import annotations

from typing import Annotated

from chorus_common.openapi import problem
from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from chorus_ingest import lookup
from chorus_ingest.api.deps import PostsReader, SessionDep
from chorus_ingest.api.responses import error, json_response

router = APIRouter(prefix="/v1", tags=["posts"])
MAX_URL = 4096


class Revision(BaseModel):
    revision: int
    received_at: str
    trace_id: str | None


class PostTrace(BaseModel):
    post_id: str
    platform: str
    channel: str | None = None
    kind: str | None = None
    native_id: str | None = None
    thread_id: str | None = None
    in_reply_to: str | None = None
    url: str | None = None
    revision: int
    first_seen_at: str
    last_seen_at: str
    trace_id: str | None = None
    revisions: list[Revision]
    archived: bool


class PostsAtUrl(BaseModel):
    url: str
    post_ids: list[str]


@router.get("/posts", response_model=PostsAtUrl, responses=problem(404, "post_not_found"))
async def posts_at_url(
    _: PostsReader,
    session: SessionDep,
    url: Annotated[str, Query(min_length=1, max_length=MAX_URL, description="a post's URL")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Response:
    """The ids of the archived posts at this platform URL, most recent first (404 if none);
    the scheme's and host's case, a trailing slash and a fragment do not matter."""
    ids = await lookup.posts_at_url(session, url, limit)
    if not ids:
        return error(404, "post_not_found", "no archived post has this URL", "url")
    return json_response({"url": url, "post_ids": ids})


@router.get(
    "/posts/{post_id:path}", response_model=PostTrace, responses=problem(404, "post_not_found")
)
async def get_post(_: PostsReader, session: SessionDep, post_id: str) -> Response:
    """When ingest accepted the post, its current revision and the trace id of each of its
    latest revisions (the archive keeps them ARCHIVE_RETENTION_DAYS; the dedup state stays)."""
    record = await lookup.post_record(session, post_id)
    if record is None:
        return error(404, "post_not_found", f"ingest has not accepted post {post_id!r}", "post_id")
    return json_response(record)
