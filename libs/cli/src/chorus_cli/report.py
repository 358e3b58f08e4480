"""`chorus report NAME`: fetch an analytics report over REST; print it or plot it (--png)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx

REPORTS = (
    "volume",
    "engagement",
    "sentiment",
    "top-authors",
    "keywords",
    "responsiveness",
    "sla",
    "workload",
    "replies",
    "summary",
    "digest",
)


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "report", help="fetch an analytics report (JSON, CSV, Markdown digest or a PNG plot)"
    )
    p.add_argument("name", choices=REPORTS)
    p.add_argument("--since", default="24h", help="time range ending now: 90m, 24h, 7d")
    p.add_argument("--from", dest="start", help="ISO start (instead of --since)")
    p.add_argument("--to", dest="end", help="ISO end (default now)")
    p.add_argument("--granularity", choices=("minute", "hour", "day"), default="hour")
    p.add_argument("--group-by", help="volume: platform|channel|kind|lang|sentiment|team")
    p.add_argument("--platform")
    p.add_argument("--channel")
    p.add_argument("--team")
    p.add_argument("--date", help="digest: YYYY-MM-DD (default yesterday)")
    p.add_argument("--csv", action="store_true", help="print CSV instead of JSON")
    p.add_argument("--png", type=Path, help="render the report's time series to this PNG file")
    p.add_argument("--url", default=os.environ.get("CHORUS_ANALYTICS_URL", "http://127.0.0.1:8004"))
    p.add_argument("--token", help="bearer token (default: $CHORUS_TOKEN or var/admin.token)")
    p.set_defaults(func=run)


def token_of(args: argparse.Namespace) -> str:
    if args.token:
        return str(args.token)
    if os.environ.get("CHORUS_TOKEN"):
        return os.environ["CHORUS_TOKEN"]
    path = Path("var/admin.token")
    if path.exists():
        return path.read_text().strip()
    raise SystemExit(
        "no token: pass --token, set CHORUS_TOKEN, or run `make run` (var/admin.token)"
    )


def params_of(args: argparse.Namespace) -> dict[str, str]:
    if args.name == "digest":
        return {"format": "json"} | ({"date": args.date} if args.date else {})
    if args.name == "summary":
        return {}
    params = {"granularity": args.granularity}
    if args.start:
        params["from"] = args.start
    else:
        params["since"] = args.since
    for key in ("end", "group_by", "platform", "channel", "team"):
        value = getattr(args, key)
        if value:
            params["to" if key == "end" else key] = value
    return params


def fetch(client: httpx.Client, name: str, params: dict[str, str], accept: str) -> httpx.Response:
    r = client.get(f"/v1/reports/{name}", params=params, headers={"Accept": accept})
    if r.status_code != 200:
        raise SystemExit(f"analytics answered {r.status_code}: {r.text[:500]}")
    return r


def run(args: argparse.Namespace, client: httpx.Client | None = None) -> int:
    client = client or httpx.Client(
        base_url=args.url, headers={"Authorization": f"Bearer {token_of(args)}"}, timeout=30
    )
    params = params_of(args)
    with client:
        if args.png:
            from chorus_cli.plot import render

            data = fetch(client, args.name, params, "application/json").json()
            render(data, args.png)
            print(f"wrote {args.png}")
            return 0
        if args.name == "digest" and not args.csv:
            params["format"] = "markdown"
            sys.stdout.write(fetch(client, args.name, params, "text/markdown").text)
            return 0
        if args.csv:
            sys.stdout.write(fetch(client, args.name, params, "text/csv").text)
            return 0
        data = fetch(client, args.name, params, "application/json").json()
        print(json.dumps(data, indent=2, ensure_ascii=False))
    return 0
