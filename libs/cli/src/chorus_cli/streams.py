"""`chorus streams [--output docs/streams.md] [--check]`: every event of the live streams."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from chorus_common.streams_doc import render

from chorus_cli.generated import write_or_check

DEFAULT_OUTPUT = Path("docs/streams.md")


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "streams", help="write docs/streams.md: every event of the live streams, with schemas"
    )
    p.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    p.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when the file differs"
    )
    p.set_defaults(func=streams)


def streams(args: argparse.Namespace) -> int:
    return write_or_check(
        render(), args.output, source="stream events", command="chorus streams", check=args.check
    )
