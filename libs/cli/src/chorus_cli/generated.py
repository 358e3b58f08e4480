"""Documents generated from code (docs/asyncapi.yaml, docs/streams.md): write, or check."""

from __future__ import annotations

from pathlib import Path


def write_or_check(text: str, out: Path, *, source: str, command: str, check: bool) -> int:
    """Write ``text`` to ``out``; with ``check``, write nothing and exit 1 when it differs."""
    if check:
        current = out.read_text(encoding="utf-8") if out.exists() else None
        if current == text:
            print(f"{out} matches the {source}")
            return 0
        print(f"{out} does not match the {source}: run `{command}`")
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0
