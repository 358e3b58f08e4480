"""`chorus routing retrain | models | promote V | rollback`: the router's intent models.

A lead (or admin) token: retraining builds a candidate from the shipped corpus plus the
teams' corrections; `chorus routing what-if --model V` compares it with the current model on
recorded traffic; promote makes every router instance use it; rollback undoes a promotion.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import httpx

from chorus_cli.api_call import call_api
from chorus_cli.report import token_of

TIMEOUT = 60.0
POLL_SECONDS = 1.0  # while a candidate trains


def register_models(rsub: Any) -> None:
    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print the raw JSON answer")
        p.add_argument(
            "--url", default=os.environ.get("CHORUS_ROUTER_URL", "http://127.0.0.1:8002")
        )
        p.add_argument("--token", help="bearer token (default: $CHORUS_TOKEN or var/admin.token)")

    r = rsub.add_parser(
        "retrain", help="train a candidate intent model from the corpus and the corrections"
    )
    r.add_argument("--no-wait", action="store_true", help="return once the training started")
    r.add_argument("--wait-seconds", type=float, default=3600.0, help="give up waiting after")
    common(r)
    r.set_defaults(func=run_retrain)
    m = rsub.add_parser("models", help="the intent models: current, shipped and trained")
    common(m)
    m.set_defaults(func=run_models)
    p = rsub.add_parser("promote", help="route with this intent model from now on")
    p.add_argument("version")
    common(p)
    p.set_defaults(func=run_promote)
    b = rsub.add_parser("rollback", help="undo the newest intent model promotion")
    common(b)
    b.set_defaults(func=run_rollback)


def client_for(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=TIMEOUT)


def _call(args: argparse.Namespace, method: str, path: str) -> dict[str, Any] | None:
    token = token_of(args)  # before the client: no token, no connection
    res = call_api(
        client_for(args.url),
        method,
        path,
        token=token,
        command=f"routing {args.routing_command}",
        service="the router",
    )
    return None if isinstance(res, int) else res


def _out(args: argparse.Namespace, res: dict[str, Any] | None, text: str) -> int:
    if res is None:
        return 1
    print(json.dumps(res, indent=2) if args.json else text)
    return 0


def _counts(by: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(by.items())) or "none"


def _trained(args: argparse.Namespace, res: dict[str, Any]) -> dict[str, Any] | None:
    """Poll the candidate until it is ready or failed (None: gave up or refused)."""
    deadline = time.monotonic() + args.wait_seconds
    print(f"training {res['version']} (this takes minutes)…", file=sys.stderr, flush=True)
    while res["status"] == "training":
        if time.monotonic() > deadline:
            print(f"{res['version']} still training: see chorus routing models", file=sys.stderr)
            return None
        time.sleep(POLL_SECONDS)
        got = _call(args, "GET", f"/v1/intent/models/{res['version']}")
        if got is None:
            return None
        res = got
    if res["status"] != "ready":
        print(f"training {res['version']} failed: {res.get('error')}", file=sys.stderr)
        return None
    return res


def run_retrain(args: argparse.Namespace) -> int:
    res = _call(args, "POST", "/v1/intent/models")
    if res is not None and not args.no_wait:
        res = _trained(args, res)
    if res is None:
        return 1
    if res["status"] == "training":
        return _out(args, res, f"training {res['version']}: chorus routing models says when")
    meta = res.get("metadata", {})
    text = (
        f"candidate {res['version']}: trained from the corpus and {res['corrections']} "
        f"corrections ({_counts(meta.get('corrections_by_intent', {}))})\n"
        f"compare:  chorus routing what-if --model {res['version']} --since 7d\n"
        f"promote:  chorus routing promote {res['version']}"
    )
    return _out(args, res, text)


def run_models(args: argparse.Namespace) -> int:
    res = _call(args, "GET", "/v1/intent/models")
    if res is None:
        return 1
    lines = []
    for m in res["items"]:
        mark = "*" if m["current"] else " "
        when = (m.get("created_at") or "shipped")[:19]
        lines.append(
            f"{mark} {m['version']:<32} {m['status']:<8} {when:<19}  "
            f"corrections {m['corrections']}{'  ' + m['error'] if m.get('error') else ''}"
        )
    return _out(args, res, "\n".join(lines))


def run_promote(args: argparse.Namespace) -> int:
    res = _call(args, "POST", f"/v1/intent/models/{args.version}/promote")
    text = f"promoted {res['version']} (was {res['previous']})" if res else ""
    return _out(args, res, text)


def run_rollback(args: argparse.Namespace) -> int:
    res = _call(args, "POST", "/v1/intent/rollback")
    text = f"rolled back to {res['version']} (was {res['previous']})" if res else ""
    return _out(args, res, text)


def render_moves(section: dict[str, Any]) -> list[str]:
    """The what-if's model comparison: cases the candidate sends to another team."""
    moved = section["moved"]
    lines = [
        f"intent model {section['current']} → {section['proposed']}: "
        f"{moved['cases']} cases would move ({moved['classified']} needed the classifier)",
    ]
    for route, n in moved["by_route"].items():
        lines.append(f"  {route}: {n}")
    for item in moved["items"][:10]:
        a, b = item["current"], item["candidate"]
        lines.append(
            f"  {item['case_id'][:12]}  {a['team']} → {b['team']} "
            f"({b['intent']} {b['confidence']}): {item['text'][:60]!r}"
        )
    return lines
