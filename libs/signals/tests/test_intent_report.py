"""The committed report (docs/intent-classifier.md) says what the shipped model does today."""

from __future__ import annotations

from pathlib import Path

import pytest
from chorus_signals.intent import report

pytestmark = pytest.mark.unit


def _without_timings(text: str) -> list[str]:
    """The page less its cost section: the only figures that depend on the machine."""
    lines, skipping = [], False
    for line in text.splitlines():
        if line.startswith("### "):
            skipping = line == "### Cost per post"
        if not skipping:
            lines.append(line)
    return lines


def test_committed_report_matches_a_fresh_evaluation_of_the_shipped_model() -> None:
    committed = report.DOC.read_text(encoding="utf-8")
    fresh, _ = report.build(cost=None)
    assert _without_timings(committed) == _without_timings(fresh), (
        "docs/intent-classifier.md is stale: run `make intent-report`"
    )
    assert "µs" in committed


def test_report_command_writes_the_page_and_fails_when_targets_are_missed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "intent.md"
    status = report.main(["--doc", str(doc), "--repeat", "1"])
    _, rows = report.build(cost=None)
    missed = [what for what, value, least in rows if value < least]
    assert status == (1 if missed else 0)
    out = capsys.readouterr()
    assert "## Held-out results" in out.out
    assert ("targets missed" in out.err) == bool(missed)
    assert _without_timings(doc.read_text(encoding="utf-8")) == _without_timings(
        report.DOC.read_text(encoding="utf-8")
    )
