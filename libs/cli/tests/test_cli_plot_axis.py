"""`chorus report --png`: the time axis holds every bucket of the report's range, empty ones
included, starting at whole grains of UTC time whatever offset the range is written in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from chorus_cli.plot import axis_of, series_of

pytestmark = pytest.mark.unit


def test_the_axis_covers_the_range_in_whole_grains_of_utc() -> None:
    hours = axis_of({"from": "2026-12-07T10:25:00+01:00", "to": "2026-12-07T12:00:00Z"})
    assert hours == [datetime(2026, 12, 7, h, tzinfo=UTC) for h in (9, 10, 11)]
    days = axis_of(
        {"granularity": "day", "from": "2026-12-05T23:59:00Z", "to": "2026-12-07T00:00:01Z"}
    )
    assert [d.day for d in days] == [5, 6, 7]
    minutes = axis_of(
        {"granularity": "minute", "from": "2026-12-07T10:00:30Z", "to": "2026-12-07T10:02:00Z"}
    )
    assert [m.minute for m in minutes] == [0, 1]


def test_a_report_without_buckets_is_refused() -> None:
    with pytest.raises(ValueError, match="no time series"):
        series_of({"report": "totals", "rows": [{"platform": "x", "posts": 3}]})
