"""`chorus asyncapi [--output docs/asyncapi.yaml] [--check]`: the event contract's document."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from chorus_common.asyncapi import render

from chorus_cli.generated import write_or_check

DEFAULT_OUTPUT = Path("docs/asyncapi.yaml")


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "asyncapi", help="write the AsyncAPI 3.0 document of the topics, from the event schemas"
    )
    p.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    p.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when the file differs"
    )
    p.set_defaults(func=asyncapi)


def asyncapi(args: argparse.Namespace) -> int:
    return write_or_check(
        render(), args.output, source="event schemas", command="chorus asyncapi", check=args.check
    )
