"""Generate the Chorus Grafana dashboards (deploy/grafana/dashboards/*.json).

Run `uv run python deploy/grafana/generate.py` after editing; the JSON files are committed
and provisioned as they are. Every query uses only metrics the services export (checked by
services/analytics/tests/test_analytics_dashboards.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "dashboards"
DS = {"type": "prometheus", "uid": "prometheus"}

Target = tuple[str, str]  # (expr, legend)
MEMBER_SERIES = (
    "Empty unless analytics runs with METRICS_MEMBER_SERIES=1: /metrics answers without a "
    "token, so by default no series names a person"
)


def panel(
    title: str,
    targets: list[Target],
    *,
    kind: str = "timeseries",
    unit: str = "short",
    w: int = 12,
    h: int = 8,
    description: str = "",
) -> dict[str, Any]:
    return {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DS,
        "gridPos": {"w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"showLegend": True, "displayMode": "list", "placement": "bottom"}}
        if kind == "timeseries"
        else {},
        "targets": [
            {"refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend, "datasource": DS}
            for i, (expr, legend) in enumerate(targets)
        ],
    }


def dashboard(uid: str, title: str, panels: list[dict[str, Any]]) -> dict[str, Any]:
    x = y = row_h = 0
    for i, p in enumerate(panels, start=1):
        p["id"] = i
        w, h = p["gridPos"]["w"], p["gridPos"]["h"]
        if x + w > 24:
            x, y = 0, y + row_h
            row_h = 0
        p["gridPos"].update(x=x, y=y)
        x += w
        row_h = max(row_h, h)
    return {
        "uid": uid,
        "title": title,
        "tags": ["chorus"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": False,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": []},
        "annotations": {"list": []},
        "panels": panels,
    }


def quantiles(metric: str, by: str = "team") -> list[Target]:
    return [
        (f'{metric}{{quantile="{q}"}}', f"{{{{{by}}}}} p{name}")
        for q, name in (("0.5", "50"), ("0.9", "90"), ("0.99", "99"))
    ]


def hist_quantiles(metric: str, by: str = "") -> list[Target]:
    group = f"{by}, le" if by else "le"
    legend = f"{{{{{by}}}}} " if by else ""
    return [
        (
            f"histogram_quantile({q}, sum by ({group}) (rate({metric}_bucket[5m])))",
            f"{legend}p{int(float(q) * 100)}",
        )
        for q in ("0.5", "0.9", "0.99")
    ]


OVERVIEW = dashboard(
    "chorus-overview",
    "Chorus — overview",
    [
        panel(
            "Posts in (24 h)",
            [("sum(increase(chorus_analytics_posts_total[24h]))", "posts")],
            kind="stat",
            w=4,
            h=4,
        ),
        panel("Open cases", [("sum(chorus_analytics_cases_open)", "open")], kind="stat", w=4, h=4),
        panel(
            "Replies sent (24 h)",
            [('sum(increase(chorus_analytics_replies_total{status="sent"}[24h]))', "sent")],
            kind="stat",
            w=4,
            h=4,
        ),
        panel(
            "Active bad buzz",
            [("sum(chorus_analytics_buzz_active)", "raised")],
            kind="stat",
            w=4,
            h=4,
        ),
        panel(
            "Author reach (24 h)",
            [("chorus_analytics_author_reach_24h", "followers")],
            kind="stat",
            w=4,
            h=4,
        ),
        panel(
            "Authors (24 h)", [("chorus_analytics_authors_24h", "authors")], kind="stat", w=4, h=4
        ),
        panel(
            "Posts per minute by platform",
            [("sum by (platform) (rate(chorus_analytics_posts_total[5m])) * 60", "{{platform}}")],
        ),
        panel(
            "Posts per minute by sentiment",
            [("sum by (sentiment) (rate(chorus_analytics_posts_total[5m])) * 60", "{{sentiment}}")],
        ),
        panel(
            "Posts per hour, busiest channels",
            [
                (
                    "topk(10, sum by (channel) (increase(chorus_analytics_posts_by_channel_total[1h])))",
                    "{{channel}}",
                )
            ],
        ),
        panel(
            "Negative posts per minute by channel",
            [
                (
                    "sum by (channel) (rate(chorus_analytics_negative_posts_by_channel_total[5m])) * 60",
                    "{{channel}}",
                )
            ],
        ),
        panel(
            "Net sentiment per channel (24 h)",
            [("chorus_analytics_net_sentiment_24h", "{{channel}}")],
            unit="percentunit",
        ),
        panel(
            "Posts by language (share, 24 h)",
            [
                (
                    "sum by (lang) (increase(chorus_analytics_posts_by_language_total[24h]))",
                    "{{lang}}",
                )
            ],
            kind="piechart",
        ),
        panel(
            "Engagement per minute",
            [("sum by (metric) (rate(chorus_analytics_engagement_total[5m])) * 60", "{{metric}}")],
        ),
        panel(
            "Open cases by team",
            [("sum by (team) (chorus_analytics_cases_open)", "{{team}}")],
            kind="bargauge",
        ),
        panel(
            "Case events per hour",
            [("sum by (type) (increase(chorus_analytics_case_events_total[1h]))", "{{type}}")],
        ),
        panel(
            "Replies per hour by outcome",
            [("sum by (status) (increase(chorus_analytics_replies_total[1h]))", "{{status}}")],
        ),
        panel(
            "Alerts per hour",
            [
                (
                    "sum by (type, state) (increase(chorus_analytics_alerts_total[1h]))",
                    "{{type}} {{state}}",
                )
            ],
        ),
        panel(
            "Posts by team of their case",
            [("chorus_analytics_posts_by_team", "{{team}}")],
            kind="bargauge",
        ),
    ],
)

RESPONSIVENESS = dashboard(
    "chorus-responsiveness",
    "Chorus — responsiveness and SLA",
    [
        panel(
            "Time to first response by team (cases of the last 24 h)",
            quantiles("chorus_analytics_first_response_seconds_24h"),
            unit="s",
        ),
        panel(
            "Time to resolution by team",
            quantiles("chorus_analytics_resolution_seconds_24h"),
            unit="s",
        ),
        panel(
            "Post received to assignment by team",
            quantiles("chorus_analytics_assignment_seconds_24h"),
            unit="s",
        ),
        panel(
            "Post to assignment latency (router histogram)",
            hist_quantiles("chorus_post_to_assignment_seconds"),
            unit="s",
        ),
        panel(
            "SLA compliance by team (24 h)",
            [("chorus_analytics_sla_compliance_ratio_24h", "{{team}}")],
            unit="percentunit",
        ),
        panel(
            "SLA breaches per hour by team",
            [
                (
                    'sum by (team) (increase(chorus_analytics_case_events_total{type="case.sla_breached"}[1h]))',
                    "{{team}}",
                )
            ],
        ),
        panel(
            "SLA breaches per hour by priority",
            [
                (
                    'sum by (priority) (increase(chorus_analytics_case_events_total{type="case.sla_breached"}[1h]))',
                    "{{priority}}",
                )
            ],
        ),
        panel(
            "Approval turnaround (24 h)",
            [
                ('chorus_analytics_approval_turnaround_seconds_24h{quantile="0.5"}', "median"),
                ('chorus_analytics_approval_turnaround_seconds_24h{quantile="0.9"}', "p90"),
            ],
            unit="s",
        ),
        panel(
            "Reply send success rate",
            [
                (
                    'sum(rate(chorus_analytics_replies_total{status="sent"}[1h])) / clamp_min(sum(rate(chorus_analytics_replies_total{status=~"sent|failed"}[1h])), 1e-9)',
                    "success",
                )
            ],
            unit="percentunit",
        ),
    ],
)

FAIRNESS = dashboard(
    "chorus-workload",
    "Chorus — workload fairness",
    [
        panel(
            "Gini of open cases across members",
            [('chorus_analytics_workload_gini{state="open"}', "{{team}}")],
            description="0 = evenly shared, towards 1 = one person carries everything",
        ),
        panel(
            "Busiest member's share of open cases",
            [('chorus_analytics_workload_busiest_share{state="open"}', "{{team}}")],
            unit="percentunit",
        ),
        panel(
            "Gini of cases handled (24 h)",
            [('chorus_analytics_workload_gini{state="handled"}', "{{team}}")],
        ),
        panel(
            "Busiest member's share of cases handled (24 h)",
            [('chorus_analytics_workload_busiest_share{state="handled"}', "{{team}}")],
            unit="percentunit",
        ),
        panel(
            "Open cases per member",
            [('chorus_analytics_member_cases{state="open"}', "{{team}}/{{member}}")],
            kind="bargauge",
            h=10,
            description=MEMBER_SERIES,
        ),
        panel(
            "Cases handled per member (24 h)",
            [('chorus_analytics_member_cases{state="handled"}', "{{team}}/{{member}}")],
            kind="bargauge",
            h=10,
            description=MEMBER_SERIES,
        ),
        panel(
            "Open cases by team and priority",
            [("chorus_analytics_cases_open", "{{team}} {{priority}}")],
            w=24,
        ),
    ],
)

PIPELINE = dashboard(
    "chorus-pipeline",
    "Chorus — pipeline health",
    [
        panel("Services up", [('up{job=~"chorus-.*"}', "{{job}}")], kind="stat", w=8, h=4),
        panel(
            "Outbox pending",
            [("sum by (service) (chorus_outbox_pending)", "{{service}}")],
            kind="stat",
            w=8,
            h=4,
        ),
        panel(
            "Dead letters (15 min)",
            [("sum(increase(chorus_dead_letters_total[15m]))", "dead letters")],
            kind="stat",
            w=8,
            h=4,
        ),
        panel(
            "Events consumed per second",
            [
                (
                    "sum by (service, topic) (rate(chorus_events_consumed_total[1m]))",
                    "{{service}} {{topic}}",
                )
            ],
        ),
        panel(
            "Events produced per second",
            [
                (
                    "sum by (service, topic) (rate(chorus_events_produced_total[1m]))",
                    "{{service}} {{topic}}",
                )
            ],
        ),
        panel(
            "Consumer lag",
            [("sum by (service, group) (chorus_consumer_lag)", "{{service}} {{group}}")],
        ),
        panel(
            "Dead letters per minute by origin and code",
            [
                (
                    "sum by (service, origin, code) (rate(chorus_dead_letters_total[5m])) * 60",
                    "{{service}} {{origin}} {{code}}",
                )
            ],
        ),
        panel(
            "End-to-end latency: post accepted to case assigned",
            hist_quantiles("chorus_post_to_assignment_seconds"),
            unit="s",
        ),
        panel(
            "Consumer batch duration p99",
            [
                (
                    "histogram_quantile(0.99, sum by (service, le) (rate(chorus_handler_duration_seconds_bucket[5m])))",
                    "{{service}}",
                )
            ],
            unit="s",
        ),
        panel(
            "HTTP requests per second",
            [("sum by (service) (rate(chorus_http_requests_total[1m]))", "{{service}}")],
        ),
        panel(
            "HTTP errors per second (5xx)",
            [
                (
                    'sum by (service, route) (rate(chorus_http_requests_total{status=~"5.."}[5m]))',
                    "{{service}} {{route}}",
                )
            ],
        ),
        panel(
            "HTTP latency p99",
            [
                (
                    "histogram_quantile(0.99, sum by (service, le) (rate(chorus_http_request_duration_seconds_bucket[5m])))",
                    "{{service}}",
                )
            ],
            unit="s",
        ),
        panel(
            "Handler retries and rate limiting",
            [
                (
                    "sum by (service) (rate(chorus_handler_retries_total[5m]))",
                    "{{service}} retries",
                ),
                (
                    "sum by (service) (rate(chorus_http_rate_limited_total[5m]))",
                    "{{service}} rate limited",
                ),
            ],
        ),
        panel(
            "Analytics figures age",
            [("time() - chorus_analytics_refresh_timestamp_seconds", "seconds since refresh")],
            unit="s",
        ),
    ],
)

DASHBOARDS = {
    "overview": OVERVIEW,
    "responsiveness": RESPONSIVENESS,
    "workload-fairness": FAIRNESS,
    "pipeline-health": PIPELINE,
}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, body in DASHBOARDS.items():
        (OUT / f"{name}.json").write_text(json.dumps(body, indent=2) + "\n")


if __name__ == "__main__":
    main()
