"""The `chorus` command. Each sub-command lives in its own module exposing `register(sub)`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# One line per sub-command module: adding a command is adding a module and a line.
COMMANDS: tuple[str, ...] = (
    "chorus_cli.token",
    "chorus_cli.run",
    "chorus_cli.ops",
    "chorus_cli.replay",
    "chorus_cli.trace",
    "chorus_cli.report",
    "chorus_cli.routing",
    "chorus_cli.asyncapi",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chorus", description="Chorus command line")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
