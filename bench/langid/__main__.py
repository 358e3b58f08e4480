"""``uv run --group langbench python -m bench.langid``: every detector on the labelled sample,
each in a fresh process with HF_HUB_OFFLINE=1 (every model is read from its package; run it
under ``unshare -n`` to close the network entirely, as for docs/ingest.md); prints Markdown
tables."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
from importlib.util import find_spec

from bench.langid import report, sample
from bench.langid.detectors import BY_KEY, CONFIGS, SERVED
from bench.langid.measure import Measured, measure

# The package each detector needs beyond ingest's own (the `langbench` dependency group).
NEEDS = {"lingua": "lingua"}


def _missing(key: str) -> str | None:
    for prefix, module in NEEDS.items():
        if key.startswith(prefix) and find_spec(module) is None:
            return module
    return None


def _child(key: str, repeat: int) -> Measured:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.langid", "--child", key, "--repeat", str(repeat)],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"{key} failed (exit {done.returncode}):\n{done.stderr}")
    return Measured(**json.loads(done.stdout))


def _median(runs: list[Measured]) -> Measured:
    """The answers of the first run (they are deterministic), the median of every cost."""
    costs = ("us_median", "us_p90", "us_cold", "rss_mib", "load_s")
    return dataclasses.replace(
        runs[0], **{name: statistics.median(getattr(r, name) for r in runs) for name in costs}
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.langid", description=__doc__)
    parser.add_argument(
        "--only", default=",".join(c.key for c in CONFIGS), help="keys, comma-separated"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the sample")
    parser.add_argument(
        "--rounds", type=int, default=1, help="runs of every detector, interleaved (costs: median)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.repeat).to_json()))
        return 0
    keys = [k for k in args.only.split(",") if k]
    unknown = [k for k in keys if k not in BY_KEY]
    if unknown:
        parser.error(f"unknown detector {unknown}; known: {sorted(BY_KEY)}")
    posts = sample.load()
    for key in [k for k in keys if _missing(k)]:
        print(f"{key}: skipped, {_missing(key)} is not installed (uv run --group langbench …)")
    keys = [k for k in keys if not _missing(k)]
    rounds: dict[str, list[Measured]] = {key: [] for key in keys}
    for round_ in range(args.rounds):
        for key in keys:  # interleaved: a busy spell of the machine hits every detector alike
            print(f"round {round_ + 1}: measuring {key} …", file=sys.stderr)
            rounds[key].append(_child(key, args.repeat))
    runs = [_median(measured) for measured in rounds.values()]
    n_short = sum(p.short for p in posts)
    print(
        f"\n{len(posts)} posts in {len({p.lang for p in posts})} languages, {n_short} of them "
        f"≤ {sample.SHORT_WORDS} words; served: {', '.join(sorted(SERVED))}; "
        f"µs: {args.repeat} warm passes; costs: median of {args.rounds} interleaved round(s)\n"
    )
    print(report.summary(posts, runs))
    print()
    print(report.per_language(posts, runs))
    for run in runs:
        if run.by_threshold is not None:
            print(
                "\nIngest's threshold on fastText's probability (chorus_signals.lang.MIN_CONFIDENCE):\n"
            )
            print(report.thresholds(posts, run.by_threshold))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
