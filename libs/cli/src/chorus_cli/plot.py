"""Render a time-series report (as returned by ``/v1/reports/…``) to a PNG with matplotlib."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from chorus_common.contracts.timebuckets import Granularity, as_utc, buckets

MAX_SERIES = 8
SECONDARY = {"net"}


def _ts(text: str) -> datetime:
    return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


def axis_of(report: dict[str, Any]) -> list[datetime]:
    """Every bucket of the report's range (buckets start at whole grains of UTC time)."""
    grain: Granularity = report.get("granularity", "hour")
    return list(buckets(_ts(report["from"]), _ts(report["to"]), grain))


def series_of(report: dict[str, Any]) -> dict[str, dict[datetime, float]]:
    """Named series from a report's rows: per group when grouped, else per numeric column."""
    rows = report.get("rows") or []
    if not rows or "bucket" not in rows[0]:
        raise ValueError(f"report {report.get('report')!r} has no time series to plot")
    group = report.get("group_by")
    out: dict[str, dict[datetime, float]] = defaultdict(dict)
    if group and group in rows[0]:
        measure = next(
            k
            for k, v in rows[0].items()
            if k not in ("bucket", group) and isinstance(v, int | float)
        )
        totals: dict[str, float] = defaultdict(float)
        for r in rows:
            totals[str(r[group] or "unknown")] += r[measure] or 0
        top = {k for k, _ in sorted(totals.items(), key=lambda kv: -kv[1])[:MAX_SERIES]}
        for r in rows:
            name = str(r[group] or "unknown")
            name = name if name in top else "other"
            t = _ts(r["bucket"])
            out[name][t] = out[name].get(t, 0.0) + float(r[measure] or 0)
    else:
        for r in rows:
            for k, v in r.items():
                if k != "bucket" and isinstance(v, int | float) and not isinstance(v, bool):
                    out[k][_ts(r["bucket"])] = float(v)
    return dict(out)


def render(report: dict[str, Any], path: str | Path) -> Path:
    """Draw ``report`` and save it as a PNG at ``path``; returns the path."""
    data = series_of(report)
    granularity = report.get("granularity", "hour")
    axis = axis_of(report)
    xs = mdates.date2num(axis)  # type: ignore[no-untyped-call]
    fig, ax = plt.subplots(figsize=(10, 4.8), dpi=110)
    ax2 = None
    for name, points in sorted(data.items(), key=lambda kv: -sum(kv[1].values())):
        ys = [points.get(b, 0.0) for b in axis]
        if name in SECONDARY:
            ax2 = ax2 or ax.twinx()
            ax2.plot(xs, ys, color="black", linestyle="--", linewidth=1.2, label=name)
            ax2.set_ylabel(name)
            continue
        ax.plot(xs, ys, linewidth=1.6, label=name)
    title = report.get("report", "report")
    filters = ", ".join(f"{k}={v}" for k, v in (report.get("filters") or {}).items())
    ax.set_title(
        f"Chorus {title} per {granularity}"
        + (f" by {report['group_by']}" if report.get("group_by") else "")
        + (f" ({filters})" if filters else "")
    )
    ax.set_ylabel("posts" if title == "volume" else "count")
    ax.grid(alpha=0.3)
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %H:%M"))  # type: ignore[no-untyped-call]
    handles, labels = ax.get_legend_handles_labels()
    if ax2 is not None:
        h2, l2 = ax2.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    if handles:
        ax.legend(handles, labels, loc="upper left", fontsize=8, ncol=2)
    fig.autofmt_xdate()
    fig.text(
        0.99, 0.01, f"{report['from']} → {report['to']} (UTC)", ha="right", fontsize=7, color="grey"
    )
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, format="png")
    plt.close(fig)
    return out
