"""`chorus run`: the embedded default (placeholder until the launcher lands)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("run", help="start the whole system locally")
    p.add_argument("--no-demo", action="store_true", help="start without the demo feed")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise SystemExit("chorus run: not implemented yet")
