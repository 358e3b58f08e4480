"""Response formats: JSON, CSV (the report's ``rows``), Markdown (the digest)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import JSONResponse, Response

Format = Literal["json", "csv", "markdown"]


def wanted(request: Request, explicit: str | None, default: Format = "json") -> Format:
    """``?format=`` wins; else the Accept header (text/csv, text/markdown); else ``default``."""
    if explicit in ("json", "csv", "markdown"):
        return explicit  # type: ignore[return-value]
    accept = request.headers.get("accept", "")
    if "text/csv" in accept:
        return "csv"
    if "text/markdown" in accept:
        return "markdown"
    if "application/json" in accept:
        return "json"
    return default


def _cell(value: Any) -> Any:
    if isinstance(value, Mapping | list | tuple):
        return (
            "; ".join(f"{k}={v}" for k, v in value.items())
            if isinstance(value, Mapping)
            else "; ".join(map(str, value))
        )
    return "" if value is None else value


def to_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    rows = list(rows)
    header: dict[str, None] = {}
    for r in rows:
        for k in r:
            header.setdefault(k, None)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: _cell(v) for k, v in r.items()})
    return buf.getvalue()


def respond(data: dict[str, Any], fmt: Format, filename: str) -> Response:
    if fmt == "csv":
        return Response(
            to_csv(data.get("rows", [])),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    return JSONResponse(data)
