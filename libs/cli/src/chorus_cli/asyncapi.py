"""`chorus asyncapi [--output docs/asyncapi.yaml] [--check]`: the event contract's document."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from chorus_common.contracts.asyncapi import render

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
    text = render()
    out: Path = args.output
    if args.check:
        current = out.read_text(encoding="utf-8") if out.exists() else None
        if current == text:
            print(f"{out} matches the event schemas")
            return 0
        print(f"{out} does not match the event schemas: run `chorus asyncapi`")
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0
