"""`chorus asyncapi` and `chorus streams` [--output PATH] [--check]: the documents generated
from code (docs/asyncapi.yaml from the event schemas, docs/streams.md from the stream events):
write them, or check that the committed ones match."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from chorus_common import streams_doc
from chorus_common.contracts import asyncapi


@dataclass(frozen=True)
class Document:
    command: str
    help: str
    output: Path
    source: str
    render: Callable[[], str]


DOCUMENTS: tuple[Document, ...] = (
    Document(
        "asyncapi",
        "write the AsyncAPI 3.0 document of the topics, from the event schemas",
        Path("docs/asyncapi.yaml"),
        "event schemas",
        asyncapi.render,
    ),
    Document(
        "streams",
        "write docs/streams.md: every event of the live streams, with schemas",
        Path("docs/streams.md"),
        "stream events",
        streams_doc.render,
    ),
)


def register(sub: Any) -> None:
    for doc in DOCUMENTS:
        p: argparse.ArgumentParser = sub.add_parser(doc.command, help=doc.help)
        p.add_argument("--output", type=Path, default=doc.output)
        p.add_argument(
            "--check", action="store_true", help="write nothing; exit 1 when the file differs"
        )
        p.set_defaults(func=partial(_generate, doc))


def _generate(doc: Document, args: argparse.Namespace) -> int:
    return write_or_check(
        doc.render(),
        args.output,
        source=doc.source,
        command=f"chorus {doc.command}",
        check=args.check,
    )


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
