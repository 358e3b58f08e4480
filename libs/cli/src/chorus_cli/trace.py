"""`chorus trace <post id or platform URL>`: where one post is in Chorus, from the services'
REST APIs: accepted by ingest (when, which revision, its trace id), its case at the router
(team, member, status, the rules and intent that decided), the replies on that case
(responder) and any dead letter naming the post or its trace (analytics)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from chorus_cli.procs import SERVICES
from chorus_cli.replay import TOKEN_FILE, read_token


@dataclass
class Trace:
    post_id: str
    trace_id: str | None = None
    ingest: dict[str, Any] | None = None
    router: dict[str, Any] | None = None
    replies: list[dict[str, Any]] = field(default_factory=list)
    dead_letters: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # service -> why it did not answer

    @property
    def found(self) -> bool:
        return bool(self.ingest or self.router or self.dead_letters)


class Services:
    """The four services' base URLs and one HTTP client carrying the token."""

    def __init__(
        self,
        urls: dict[str, str],
        token: str,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.urls = {k: v.rstrip("/") for k, v in urls.items()}
        self.client = httpx.Client(
            headers={"Authorization": f"Bearer {token}"}, timeout=timeout, transport=transport
        )

    def get(self, service: str, path: str, errors: dict[str, str], **params: Any) -> Any:
        """The JSON body of a 200, None on 404; anything else is noted in ``errors``."""
        try:
            r = self.client.get(self.urls[service] + path, params=params or None)
        except httpx.HTTPError as exc:
            errors[service] = f"cannot reach {self.urls[service]}: {type(exc).__name__}"
            return None
        if r.status_code == 404:
            return None
        if r.status_code != 200:
            errors[service] = f"HTTP {r.status_code} on {path}: {r.text[:200]}"
            return None
        return r.json()

    def close(self) -> None:
        self.client.close()


def resolve(services: Services, target: str) -> tuple[list[str], dict[str, str]]:
    """Post ids for ``target``: itself, or the posts ingest archived at that URL."""
    errors: dict[str, str] = {}
    if not target.startswith(("http://", "https://")):
        return [target], errors
    doc = services.get("ingest", "/v1/posts", errors, url=target)
    return (list(doc["post_ids"]) if doc else []), errors


def trace(services: Services, post_id: str) -> Trace:
    t = Trace(post_id)
    pid = quote(post_id, safe="")
    t.ingest = services.get("ingest", f"/v1/posts/{pid}", t.errors)
    if t.ingest:
        t.trace_id = t.ingest.get("trace_id")
    t.router = services.get("router", f"/v1/posts/{pid}", t.errors)
    if t.router and t.router.get("case_id"):
        case_id = quote(t.router["case_id"], safe="")
        doc = services.get("responder", f"/v1/cases/{case_id}/replies", t.errors)
        t.replies = [_reply(r) for r in (doc or {}).get("replies", [])]
    params = {"post_id": post_id, **({"trace_id": t.trace_id} if t.trace_id else {})}
    doc = services.get("analytics", "/v1/dead-letters", t.errors, **params)
    t.dead_letters = list((doc or {}).get("items", []))
    return t


def _reply(r: dict[str, Any]) -> dict[str, Any]:
    """What a trace shows of a reply: where it stands, not what it says."""
    keys = ("reply_id", "post_id", "status", "author_id", "platform", "sent_at", "updated_at",
            "error_code", "platform_url")  # fmt: skip
    return {k: r.get(k) for k in keys}


def render(t: Trace) -> list[str]:
    lines = [f"post        {t.post_id}   trace {t.trace_id or '-'}"]
    i = t.ingest
    if i:
        where = " ".join(str(x) for x in (i.get("platform"), i.get("channel"), i.get("kind")) if x)
        lines.append(
            f"accepted    ingest {i['first_seen_at']} ({where}), revision {i['revision']}"
            f", last seen {i['last_seen_at']}" + (f", {i['url']}" if i.get("url") else "")
        )
    else:
        lines.append("accepted    not by ingest (unknown there, or past its retention)")
    if t.router and t.router.get("from_brand"):
        c = t.router.get("case")
        lines.append(
            f"brand       the brand's own post, answering case {c['id']} ({c['status']})"
            if c
            else "brand       the brand's own post; no case of its conversation yet"
        )
    elif t.router:
        c = t.router["case"]
        decision = c.get("decision") or {}
        rules = ", ".join(m["rule"] for m in decision.get("matched", [])) or "no rule"
        intent = decision.get("intent") or {}
        said = f"; intent {intent['intent']} {intent['confidence']:.2f}" if intent else ""
        lines.append(
            f"case        {c['id']}  {c['status']}  team {c['team']}  member "
            f"{c.get('assignee') or '(queue)'}  {c['priority']}  rules {rules}{said}"
        )
        lines.append(f"routed      {t.router['received_at']} (revision {t.router['revision']})")
    else:
        lines.append("case        none: the router has not routed it")
    for r in t.replies:
        mine = "" if r["post_id"] == t.post_id else f" (to {r['post_id']})"
        when = r.get("sent_at") or r.get("updated_at")
        failed = f" {r['error_code']}" if r.get("error_code") else ""
        lines.append(
            f"reply       {r['reply_id']}  {r['status']}{failed}  by {r['author_id']}  {when}{mine}"
        )
    for d in t.dead_letters:
        at = f"{d['original_topic']}[{d['original_partition']}]@{d['original_offset']}"
        lines.append(
            f"dead letter {d['at']}  {d['source']}  {d['code']}"
            + (f" ({d['field']})" if d.get("field") else "")
            + (f"  {at}" if d.get("original_topic") else "")
        )
    for service, why in sorted(t.errors.items()):
        lines.append(f"unknown     {service}: {why}")
    return lines


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "trace", help="where one post is: accepted, case, team, member, replies, dead letters"
    )
    p.add_argument("target", help="a post id (x:1801…) or the post's platform URL")
    for name, port in SERVICES.items():
        env = f"{name.upper()}_URL"
        p.add_argument(
            f"--{name}",
            default=os.environ.get(env, f"http://127.0.0.1:{port}"),
            help=f"{name} base URL (${env})",
        )
    p.add_argument("--token-file", type=Path, default=TOKEN_FILE)
    p.add_argument("--json", action="store_true", help="one JSON document per post")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """0: the post was found somewhere; 1: nowhere (or nothing at that URL)."""
    services = Services(
        {name: getattr(args, name) for name in SERVICES}, read_token(args.token_file)
    )
    try:
        post_ids, errors = resolve(services, args.target)
        if not post_ids:
            why = errors.get("ingest", "ingest archived no post with this URL")
            print(f"chorus trace: {args.target}: {why}", file=sys.stderr)
            return 1
        traces = [trace(services, pid) for pid in post_ids]
    finally:
        services.close()
    for t in traces:
        if args.json:
            print(json.dumps(asdict(t), ensure_ascii=False))
        else:
            print("\n".join(render(t)))
    return 0 if any(t.found for t in traces) else 1
