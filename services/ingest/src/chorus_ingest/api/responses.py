"""Response helpers shared by the ingest routes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from chorus_common.http import error_body
from fastapi.responses import Response

from chorus_ingest.batch import ItemResult


def json_response(doc: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(doc), status_code=status, media_type="application/json")


def error(status: int, code: str, message: str, field: str | None = None) -> Response:
    return json_response(error_body(code, message, field), status)


def results_response(results: Sequence[ItemResult]) -> Response:
    """Counts and per-item results; 422 naming the first field when every item was rejected."""
    counts = {"accepted": 0, "duplicate": 0, "updated": 0, "stale": 0, "rejected": 0}
    for r in results:
        counts[r.status] += 1
    doc: dict[str, Any] = {**counts, "results": [r.to_json() for r in results]}
    if results and counts["rejected"] == len(results):
        first = results[0]
        label = f"posts[{first.index}]" if first.index is not None else "item"
        message = f"{label}: {first.message}"
        doc.update(error_body(first.code or "invalid_item", message, first.field))
        return json_response(doc, 422)
    return json_response(doc)
