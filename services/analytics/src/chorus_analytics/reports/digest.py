"""The daily digest: yesterday per channel, as JSON and as Markdown a manager forwards as is."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics.reports import activity, cases, posts
from chorus_analytics.reports.query import ReportQuery


def day_query(
    day: date, teams: tuple[str, ...] | None = None, max_rows: int = 20_000
) -> ReportQuery:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + timedelta(days=1)
    return ReportQuery(
        start=start, end=end, granularity="day", limit=3, teams=teams, max_rows=max_rows
    )


def _change(now: int, before: int) -> float | None:
    return None if before == 0 else round((now - before) / before, 4)


async def _channel(session: AsyncSession, q: ReportQuery, prev: ReportQuery) -> dict[str, Any]:
    vol = await posts.volume(session, q, series=False)
    before = (await posts.volume(session, prev, series=False))["total"]
    sent = await posts.sentiment(session, q, series=False)
    labels = vol["totals"]["sentiment"]
    kw = await posts.keywords(session, q)
    authors = await posts.top_authors(session, q)
    resp = {r["team"]: r for r in (await cases.responsiveness(session, q))["rows"]}
    sla = {r["team"]: r for r in (await cases.sla(session, q))["rows"]}
    allr, alls = resp.get("all", {}), sla.get("all", {})
    return {
        "posts": vol["total"],
        "posts_day_before": before,
        "change": _change(vol["total"], before),
        "platforms": vol["totals"]["platform"],
        "negative_share": round(labels.get("negative", 0) / vol["total"], 4)
        if vol["total"]
        else None,
        "net_sentiment": sent["net"],
        "top_terms": [{"term": r["term"], "posts": r["posts"]} for r in kw["rows"][:5]],
        "top_authors": [
            {"handle": r["handle"] or r["author_id"], "posts": r["posts"]} for r in authors["rows"]
        ],
        "cases_opened": allr.get("cases", 0),
        "first_response_median_s": allr.get("first_response_median"),
        "sla_met": alls.get("met", 0),
        "sla_breached": alls.get("breached", 0),
        "sla_compliance_rate": alls.get("compliance_rate"),
    }


async def digest(
    session: AsyncSession,
    day: date,
    teams: tuple[str, ...] | None = None,
    *,
    max_channels: int = 20,
    max_rows: int = 20_000,
) -> dict[str, Any]:
    """The day's figures overall and for its ``max_channels`` busiest channels (the others
    are named in ``channels_not_detailed``); ``teams``: only those teams' (None: all)."""
    q = day_query(day, teams, max_rows)
    prev = day_query(day - timedelta(days=1), teams, max_rows)
    vol = await posts.volume(session, q, series=False)
    busiest = list(vol["totals"]["channel"])  # busiest first
    channels = {
        ch: await _channel(session, replace(q, channel=ch), replace(prev, channel=ch))
        for ch in busiest[:max_channels]
    }
    overall = await _channel(session, q, prev)
    counts = await activity.event_counts(session, q, "")
    alerts = await activity.event_counts(session, q, "alert.buzz", by="detail")
    return {
        "date": day.isoformat(),
        "scope": q.meta("digest")["scope"],
        "overall": {
            **overall,
            "cases_resolved": counts.get("case.resolved", 0),
            "replies_sent": counts.get("reply.sent", 0),
            "replies_failed": counts.get("reply.failed", 0),
            "buzz_alerts": sum(n for k, n in alerts.items() if k.startswith("raised")),
        },
        "channels": channels,
        "channels_not_detailed": busiest[max_channels:],
    }


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value * 100:+.0f}%" if signed else f"{value * 100:.0f}%"


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _vs(c: dict[str, Any]) -> str:
    if c["change"] is None:
        return "none the day before"
    return f"{_pct(c['change'], signed=True)} vs the day before"


def _line(c: dict[str, Any]) -> list[str]:
    terms = ", ".join(f"{t['term']} ({t['posts']})" for t in c["top_terms"]) or "none"
    authors = ", ".join(f"{a['handle']} ({a['posts']})" for a in c["top_authors"]) or "none"
    net = "n/a" if c["net_sentiment"] is None else f"{c['net_sentiment']:+.2f}"
    sla = (
        f"SLA met {_pct(c['sla_compliance_rate'])} ({c['sla_breached']} breached)"
        if c["sla_met"] + c["sla_breached"]
        else "no SLA due"
    )
    return [
        f"- **{_n(c['posts'], 'post')}** ({_vs(c)}), "
        f"{_pct(c['negative_share'])} negative, net sentiment {net}",
        f"- Talked about: {terms}",
        f"- Most active: {authors}",
        f"- {_n(c['cases_opened'], 'case')} opened; median first response "
        f"{human_duration(c['first_response_median_s'])}; {sla}",
    ]


def to_markdown(d: dict[str, Any]) -> str:
    day = date.fromisoformat(d["date"])
    o = d["overall"]
    out = [
        f"# Community digest — {day.strftime('%A %d %B %Y')}",
        "",
        f"**{_n(o['posts'], 'post')}** ({_vs(o)}) · "
        f"{_n(o['cases_opened'], 'case')} opened, {o['cases_resolved']} resolved · "
        f"{o['replies_sent']} {'reply' if o['replies_sent'] == 1 else 'replies'} sent "
        f"({o['replies_failed']} failed) · "
        f"median first response {human_duration(o['first_response_median_s'])} · "
        f"{_n(o['buzz_alerts'], 'bad-buzz alert')}",
        "",
    ]
    if not d["channels"]:
        out.append("No activity on any channel that day.")
    for channel, c in d["channels"].items():
        platforms = ", ".join(c["platforms"])
        out += [f"## {channel} ({platforms})", "", *_line(c), ""]
    if d.get("channels_not_detailed"):
        out += [f"Also active: {', '.join(d['channels_not_detailed'])}.", ""]
    scope = d.get("scope", "all")
    teams = "" if scope == "all" else f" for {', '.join(scope['teams']) or 'no team'}"
    out.append(f"_Figures in UTC{teams}, from Chorus analytics._")
    return "\n".join(out).rstrip() + "\n"
