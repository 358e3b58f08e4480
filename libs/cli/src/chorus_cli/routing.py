"""`chorus routing what-if [rules.yaml] [--model V] --since 7d`: try a rule set (and roster,
and intent model) on recorded traffic and print it beside what really happened. The intent
model commands (retrain, models, promote, rollback) are in :mod:`chorus_cli.routing_models`."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import httpx
import yaml

from chorus_cli.api_call import call_api
from chorus_cli.report import token_of
from chorus_cli.routing_models import register_models, render_moves

MEMBER_FIELDS = (
    "id",
    "name",
    "email",
    "teams",
    "languages",
    "skills",
    "platforms",
    "capacity",
    "timezone",
    "working_hours",
)


def build_args(argv: list[str]) -> argparse.Namespace:
    """Parse ``what-if`` arguments alone (for tests and scripts)."""
    parser = argparse.ArgumentParser(prog="chorus")
    register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["routing", "what-if", *argv])


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "routing", help="routing tools (what-if, intent models)"
    )
    rsub = p.add_subparsers(dest="routing_command", required=True)
    w = rsub.add_parser(
        "what-if",
        help="replay recorded posts through a proposed rule set (or intent model) and compare",
    )
    w.add_argument(
        "rules",
        type=Path,
        nargs="?",
        help="YAML or JSON: a list of rules or {rules: [...]} (default: the current rules)",
    )
    w.add_argument("--model", help="an intent model version to replay instead of the current")
    w.add_argument("--since", default="7d", help="period ending now (or --to): 90m, 24h, 7d, 2w")
    w.add_argument("--from", dest="start", help="ISO start (instead of --since)")
    w.add_argument("--to", dest="end", help="ISO end (default now)")
    w.add_argument("--roster", type=Path, help="YAML or JSON: members, or {members|items: [...]}")
    w.add_argument("--json", action="store_true", help="print the raw JSON result")
    w.add_argument("--url", default=os.environ.get("CHORUS_ROUTER_URL", "http://127.0.0.1:8002"))
    w.add_argument("--token", help="bearer token (default: $CHORUS_TOKEN or var/admin.token)")
    w.set_defaults(func=run_what_if)
    register_models(rsub)


def _load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SystemExit(f"cannot read {path}: {exc}") from exc


def rules_of(doc: Any) -> list[dict[str, Any]]:
    rules = doc.get("rules") if isinstance(doc, dict) else doc
    if not isinstance(rules, list):
        raise SystemExit("the rules file must hold a list of rules (or {rules: [...]})")
    return rules


def roster_of(doc: Any) -> list[dict[str, Any]]:
    members = doc
    if isinstance(doc, dict):
        members = doc.get("members", doc.get("items"))
    if not isinstance(members, list):
        raise SystemExit("the roster file must hold a list of members (or {members: [...]})")
    # A dump of GET /v1/members carries read-only fields (load, availability): keep the rest.
    return [{k: m[k] for k in MEMBER_FIELDS if m.get(k) is not None} for m in members]


def body_of(args: argparse.Namespace) -> dict[str, Any]:
    body: dict[str, Any] = {"since": args.since}
    if args.rules is not None:
        body["rules"] = rules_of(_load(args.rules))
    elif args.model is None:
        raise SystemExit("give a rules file, --model, or both")
    if args.model:
        body["model"] = args.model
    if args.start:
        body["from"] = args.start
    if args.end:
        body["to"] = args.end
    if args.roster:
        body["roster"] = roster_of(_load(args.roster))
    return body


def _n(value: Any) -> str:
    return "—" if value is None else str(value)


def _delta(a: Any, b: Any) -> str:
    if isinstance(a, int | float) and isinstance(b, int | float) and a != b:
        d = b - a
        return f"{d:+.4g}"
    return ""


def _fair(f: dict[str, Any] | None) -> str:
    if not f:
        return "—"
    r = "—" if f.get("ratio") is None else f"{f['ratio']:.2f}"
    return f"{r} · {f.get('gini', 0):.2f}"


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:.1f}%"


def render(res: dict[str, Any]) -> str:
    """The comparison as a plain-text table."""
    period = res["period"]
    lines = [
        f"What-if {period['from']} → {period['to']}: {res['posts']} posts, {res['cases']} cases "
        f"(roster: {res['roster']})",
        "",
        *_table(_rows(res["actual"], res["proposed"])),
        *_changed(res["changed"]),
    ]
    if res.get("intent_model"):
        lines += ["", *render_moves(res["intent_model"])]
    lines += ["", *[f"note: {n}" for n in res.get("notes", [])]]
    return "\n".join(lines)


def _rows(a: dict[str, Any], p: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Label, actual, proposed and change of each line; a section title has no figures."""
    rows: list[tuple[str, str, str, str]] = []

    def section(title: str) -> None:
        rows.append((title, "", "", ""))

    def counts(key: str) -> None:
        for name in sorted(set(a[key]) | set(p[key])):
            x, y = a[key].get(name, 0), p[key].get(name, 0)
            rows.append((f"  {name}", str(x), str(y), _delta(x, y)))

    section("cases per team")
    counts("cases_per_team")
    section("cases per member")
    counts("cases_per_member")
    section("fairness (max/min ratio · Gini)")
    for team in sorted(set(a["fairness"]) | set(p["fairness"])):
        rows.append(
            (f"  {team}", _fair(a["fairness"].get(team)), _fair(p["fairness"].get(team)), "")
        )
    aa, pa = a["approvals_needed"], p["approvals_needed"]
    rows.append(
        (
            "approvals needed (cases)",
            str(aa["cases"]),
            str(pa["cases"]),
            _delta(aa["cases"], pa["cases"]),
        )
    )
    for team in sorted(set(aa["by_team"]) | set(pa["by_team"])):
        x, y = aa["by_team"].get(team, 0), pa["by_team"].get(team, 0)
        rows.append((f"  {team}", str(x), str(y), _delta(x, y)))
    sa, sp = a["sla"], p["sla"]
    diff = ""
    if sa["attainment"] is not None and sp["attainment"] is not None:
        diff = f"{100 * (sp['attainment'] - sa['attainment']):+.1f} pts"
    rows.append(
        ("SLA attainment (projected)", _pct(sa["attainment"]), _pct(sp["attainment"]), diff)
    )
    for k in ("attained", "missed", "pending"):
        rows.append((f"  {k}", _n(sa[k]), _n(sp[k]), _delta(sa[k], sp[k])))
    return rows


def _table(rows: list[tuple[str, str, str, str]]) -> list[str]:
    width = max(len(r[0]) for r in rows)
    cols = [max(len(r[i]) for r in rows) for i in (1, 2, 3)]
    cols = [max(c, len(h)) for c, h in zip(cols, ("actual", "proposed", "change"), strict=True)]
    lines = [
        f"{'':<{width}}  {'actual':>{cols[0]}}  {'proposed':>{cols[1]}}  {'change':>{cols[2]}}"
    ]
    for label, x, y, d in rows:
        if not x and not y:
            lines.append(label)
        else:
            lines.append(f"{label:<{width}}  {x:>{cols[0]}}  {y:>{cols[1]}}  {d:>{cols[2]}}")
    return lines


def _changed(ch: dict[str, Any]) -> list[str]:
    """The cases the proposal would treat otherwise (the first 20) and how."""
    lines = ["", f"cases that would change: {ch['cases']}"]
    for item in ch["items"][:20]:
        x, y = item["actual"], item["proposed"]
        what = []
        for key in ("team", "priority", "sla_minutes", "approvals"):
            if x[key] != y[key]:
                what.append(f"{key} {x[key]} → {y[key]}")
        lines.append(f"  {item['case_id'][:12]}  {item['received_at'][:16]}  {'; '.join(what)}")
    if ch["cases"] > 20:
        lines.append(f"  … and {ch['cases'] - 20} more (--json for all)")
    return lines


def client_for(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=120.0)


def run_what_if(args: argparse.Namespace) -> int:
    token = token_of(args)  # before the client: no token, no connection
    res = call_api(
        client_for(args.url),
        "POST",
        "/v1/rules/what-if",
        token=token,
        command="routing what-if",
        service="the router",
        body=body_of(args),
    )
    if isinstance(res, int):
        return res
    print(json.dumps(res, indent=2) if args.json else render(res))
    return 0
