"""`chorus replay` argument parsing and token lookup."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import pytest
from chorus_cli.main import build_parser
from chorus_cli.replay import parse_when, read_token


@pytest.mark.unit
def test_since_accepts_durations_and_iso_times() -> None:
    now = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
    assert parse_when("2h", now) == datetime(2026, 1, 2, 10, 0, tzinfo=UTC)
    assert parse_when("1d", now) == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_when("2026-01-01T08:00:00Z") == datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    with pytest.raises(argparse.ArgumentTypeError):
        parse_when("last tuesday")


@pytest.mark.unit
def test_token_comes_from_env_then_file(tmp_path, monkeypatch) -> None:
    path = tmp_path / "admin.token"
    path.write_text("file-token\n")
    monkeypatch.delenv("CHORUS_TOKEN", raising=False)
    assert read_token(path) == "file-token"
    monkeypatch.setenv("CHORUS_TOKEN", "env-token")
    assert read_token(path) == "env-token"


@pytest.mark.unit
def test_replay_command_is_registered() -> None:
    args = build_parser().parse_args(["replay", "--since", "30m", "--platform", "x"])
    assert args.platform == "x"
    assert args.since.tzinfo is not None
