"""`chorus replay --since 2h [--until …] [--platform x]`: republish ingest's archive."""

from __future__ import annotations

import argparse
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from chorus_cli.api_call import call_api

_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DEFAULT_URL = "http://127.0.0.1:8001"
TOKEN_FILE = Path("var/admin.token")


def parse_when(value: str, now: datetime | None = None) -> datetime:
    """``2h`` / ``30m`` / ``7d`` ago, or an ISO 8601 time (UTC when no offset is given)."""
    match = _RELATIVE.match(value)
    if match:
        delta = timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})
        return (now or datetime.now(UTC)) - delta
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a duration (2h) or ISO time: {value!r}") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def read_token(path: Path = TOKEN_FILE) -> str:
    """CHORUS_TOKEN, else the admin token `chorus run` writes to var/admin.token."""
    token = os.environ.get("CHORUS_TOKEN", "").strip()
    if token:
        return token
    try:
        return path.read_text().strip()
    except OSError as exc:
        raise SystemExit(f"no token: set CHORUS_TOKEN or create {path}") from exc


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "replay", help="republish archived posts from ingest (safe: consumers are idempotent)"
    )
    p.add_argument("--since", required=True, type=parse_when, help="e.g. 2h, 30m, 7d or ISO")
    p.add_argument("--until", type=parse_when, help="end of the window (default: now)")
    p.add_argument("--platform", help="only this platform slug (x, facebook, rss, …)")
    p.add_argument("--url", default=os.environ.get("INGEST_URL", DEFAULT_URL), help="ingest URL")
    p.add_argument("--token-file", type=Path, default=TOKEN_FILE)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"since": args.since.isoformat()}
    if args.until is not None:
        body["until"] = args.until.isoformat()
    if args.platform:
        body["platform"] = args.platform
    token = read_token(args.token_file)  # before the client: no token, no connection
    doc = call_api(
        httpx.Client(base_url=args.url.rstrip("/"), timeout=300),
        "POST",
        "/v1/archive/replay",
        token=token,
        command="replay",
        service="ingest",
        body=body,
    )
    if isinstance(doc, int):
        return doc
    more = " (truncated: run again with a later --since)" if doc.get("truncated") else ""
    print(f"republished {doc['republished']} posts since {doc['since']}{more}")
    return 0
