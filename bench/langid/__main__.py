"""``uv run --group langbench python -m bench.langid``: every detector on the labelled sample,
each in a fresh process, with the network closed to the models (HF_HUB_OFFLINE=1, and no
download is attempted: every model is read from its package); prints Markdown tables."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from importlib.util import find_spec

from bench.langid import report, sample
from bench.langid.detectors import BY_KEY, CONFIGS, SERVED
from bench.langid.measure import Measured, measure

# The package each detector needs beyond ingest's own (the `langbench` dependency group).
NEEDS = {"py3langid": "py3langid", "lingua": "lingua"}


def _missing(key: str) -> str | None:
    for prefix, module in NEEDS.items():
        if key.startswith(prefix) and find_spec(module) is None:
            return module
    return None


def _child(key: str, repeat: int) -> Measured:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-m", "bench.langid", "--child", key, "--repeat", str(repeat)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return Measured(**json.loads(out))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.langid", description=__doc__)
    parser.add_argument(
        "--only", default=",".join(c.key for c in CONFIGS), help="keys, comma-separated"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the sample")
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
    runs: list[Measured] = []
    for key in keys:
        module = _missing(key)
        if module:
            print(f"{key}: skipped, {module} is not installed (uv run --group langbench …)")
            continue
        print(f"measuring {key} …", file=sys.stderr)
        runs.append(_child(key, args.repeat))
    n_short = sum(p.short for p in posts)
    print(
        f"\n{len(posts)} posts in {len({p.lang for p in posts})} languages, {n_short} of them "
        f"≤ {sample.SHORT_WORDS} words; served: {', '.join(sorted(SERVED))}; "
        f"µs: {args.repeat} warm passes\n"
    )
    print(report.summary(posts, runs))
    print()
    print(report.per_language(posts, runs))
    for run in runs:
        if run.key == "fasttext":
            print("\nThe kept model's confidence threshold (chorus_signals.lang.MIN_CONFIDENCE):\n")
            print(report.thresholds(posts, run))
        if run.agrees_with_py3langid is not None:
            print(
                f"\npy3langid-7's scorer gives py3langid.classify's language and confidence on "
                f"{run.agrees_with_py3langid}/{len(posts)} posts"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
