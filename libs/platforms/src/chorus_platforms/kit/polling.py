"""Pure polling helpers shared by the pull sources: config access, page tokens, cursors."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import orjson

from chorus_platforms.kit.fields import ItemProblem
from chorus_platforms.kit.inbound import NormalizeResult, RawInput
from chorus_platforms.kit.times import iso, iso_time


def newest_first_advance(
    cursor: Mapping[str, Any],
    result: NormalizeResult,
    next_page: str | None,
    order_times: list[datetime] | None = None,
) -> dict[str, Any]:
    """Cursor step for APIs that list newest first and page backwards.

    A *sweep* starts at the first page and follows page tokens until it reaches an item at or
    before ``since`` (the newest time of the previous complete sweep) or runs out of pages;
    only then does ``since`` move forward. A restart mid-sweep resumes at ``page``, so nothing
    between two sweeps is skipped; the few items re-read at the boundary are dropped by the
    ingest dedup (same platform + native id). ``order_times`` are the times the API sorts by
    when they are not the posts' creation times (e.g. review update times).
    """
    since = cursor_time(cursor.get("since"))
    sweep_newest = cursor_time(cursor.get("sweep_newest"))
    times = order_times if order_times is not None else [p.created_at for p in result.posts]
    page_newest = max(times) if times else None
    if page_newest is not None and (sweep_newest is None or page_newest > sweep_newest):
        sweep_newest = page_newest
    reached_known = since is not None and bool(times) and min(times) <= since
    out: dict[str, Any] = {k: v for k, v in cursor.items() if k not in ("page", "sweep_newest")}
    if next_page and not reached_known and (times or result.errors):
        out["page"] = next_page
        if sweep_newest is not None:
            out["sweep_newest"] = iso(sweep_newest)
        return out
    newest = max((t for t in (since, sweep_newest) if t is not None), default=None)
    if newest is not None:
        out["since"] = iso(newest)
    return out


def cursor_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return iso_time(value, "cursor")
    except ItemProblem:
        return None


def require(config: Mapping[str, Any], key: str) -> str:
    """A mandatory poll-config value as text; a clear `ValueError` when it is missing."""
    value = config.get(key)
    if value is None or str(value).strip() == "":
        raise ValueError(f"poll config is missing {key!r}")
    return str(value).strip()


def json_headers(config: Mapping[str, Any]) -> dict[str, str]:
    """``Accept: application/json``, with the config's ``access_token`` as a bearer if given."""
    headers = {"Accept": "application/json"}
    if config.get("access_token"):
        headers["Authorization"] = f"Bearer {config['access_token']}"
    return headers


def next_token(raw: RawInput, *path: str) -> str | None:
    """A pagination token at ``path`` in a JSON body (None when absent or not JSON)."""
    try:
        node: Any = orjson.loads(raw.body)
    except orjson.JSONDecodeError:
        return None
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, int) and not isinstance(node, bool):
        return str(node)
    return node if isinstance(node, str) and node else None


def listed(raw: RawInput, key: str) -> list[Any]:
    """The list at ``key`` of a JSON object body (empty when absent or not JSON)."""
    try:
        data = orjson.loads(raw.body)
    except orjson.JSONDecodeError:
        return []
    rows = data.get(key) if isinstance(data, dict) else None
    return rows if isinstance(rows, list) else []


def order_times(rows: Iterable[Any], time_of: Callable[[Any], datetime]) -> list[datetime]:
    """The times an API orders its list by (``newest_first_advance``); a row whose time does
    not read is left out (it is an item error of ``normalize`` already)."""
    times: list[datetime] = []
    for row in rows:
        try:
            times.append(time_of(row))
        except ItemProblem:
            continue
    return times
