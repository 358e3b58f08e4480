"""Where a live stream resumes: the ``Last-Event-ID`` header, or ``last_event_id`` in the
query for a new browser ``EventSource`` (which cannot send the header)."""

from typing import Annotated

from fastapi import Query, Request

# No "from __future__ import annotations": FastAPI reads the Annotated alias at import.
LastEventIdQuery = Annotated[
    str | None,
    Query(
        description="resume after this event id, as the `Last-Event-ID` header does (for a "
        "new EventSource, which cannot send it); the header wins when both are sent",
        max_length=64,
    ),
]


def resume_after(last_event_id: str) -> int | None:
    """The sequence number to resume after; None (no replay) for anything we did not send
    (the ids are decimal sequence numbers, at most 19 digits)."""
    text = last_event_id.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    return int(text)


def resume_point(request: Request, last_event_id: str | None) -> int | None:
    """The header's id, else the query's; None when neither names one of ours."""
    return resume_after(request.headers.get("last-event-id", last_event_id or ""))
