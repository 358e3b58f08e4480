"""The `chorus` command. Each sub-command lives in its own module exposing `register(sub)`.

A command that cannot do its work says why in one line on stderr and exits non-zero: 78 for
a setting that can never work, 69 for a broker or database still unreachable after
DEPENDENCY_WAIT_SECONDS, 1 otherwise (CHORUS_TRACEBACK=1 shows the traceback too).
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import traceback
from collections.abc import Sequence

from chorus_common.dependencies import DependencyRefused, DependencyUnavailable, describe
from chorus_common.settings_errors import EX_CONFIG, EX_UNAVAILABLE, ConfigError

# One line per sub-command module: adding a command is adding a module and a line.
COMMANDS: tuple[str, ...] = (
    "chorus_cli.token",
    "chorus_cli.run",
    "chorus_cli.ops",
    "chorus_cli.lag",
    "chorus_cli.replay",
    "chorus_cli.trace",
    "chorus_cli.report",
    "chorus_cli.routing",
    "chorus_cli.generated",
    "chorus_cli.console",
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
    try:
        result: int = args.func(args)
        return result
    except (ConfigError, DependencyRefused) as exc:
        return _fail(args.command, str(exc), EX_CONFIG)
    except DependencyUnavailable as exc:
        return _fail(args.command, str(exc), EX_UNAVAILABLE)
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    except Exception as exc:
        if os.environ.get("CHORUS_TRACEBACK") == "1":
            traceback.print_exc()
        return _fail(args.command, describe(exc), 1)


def _fail(command: str, message: str, code: int) -> int:
    print(f"chorus {command}: {message}", file=sys.stderr, flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
