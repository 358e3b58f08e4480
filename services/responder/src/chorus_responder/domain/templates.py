"""Saved-reply templates: ``{dotted.name}`` placeholders, parsed here, never by ``str.format``.

Only names made of letters, digits, ``_`` and ``.`` are placeholders; ``{{`` and ``}}`` are
literal braces. Values are inserted as plain text once: a value that itself contains
``{brand}`` stays literal, and no attribute, index or conversion syntax exists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
MAX_PLACEHOLDERS = 200


class TemplateError(ValueError):
    """A template or a rendering problem; ``code`` is stable, ``name`` names the culprit."""

    def __init__(self, code: str, message: str, name: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.name = name


@dataclass(frozen=True, slots=True)
class Literal:
    text: str


@dataclass(frozen=True, slots=True)
class Placeholder:
    name: str


Part = Literal | Placeholder


def parse(body: str) -> tuple[Part, ...]:
    """Split a template into literal text and placeholders; raises :class:`TemplateError`."""
    parts: list[Part] = []
    buf: list[str] = []
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch == "{":
            if body.startswith("{{", i):
                buf.append("{")
                i += 2
                continue
            end = body.find("}", i + 1)
            if end < 0:
                raise TemplateError("invalid_template", f"unclosed '{{' at offset {i}")
            name = body[i + 1 : end].strip()
            if not _NAME.fullmatch(name):
                raise TemplateError(
                    "invalid_template",
                    f"invalid placeholder {{{body[i + 1 : end]}}} at offset {i}: "
                    "use {name} or {dotted.name}",
                    body[i + 1 : end],
                )
            if buf:
                parts.append(Literal("".join(buf)))
                buf = []
            parts.append(Placeholder(name))
            if sum(isinstance(p, Placeholder) for p in parts) > MAX_PLACEHOLDERS:
                raise TemplateError("invalid_template", "too many placeholders")
            i = end + 1
        elif ch == "}":
            if body.startswith("}}", i):
                buf.append("}")
                i += 2
                continue
            raise TemplateError("invalid_template", f"single '}}' at offset {i}: write '}}}}'")
        else:
            buf.append(ch)
            i += 1
    if buf:
        parts.append(Literal("".join(buf)))
    return tuple(parts)


def placeholders(body: str) -> tuple[str, ...]:
    """The distinct placeholder names of a template, in order of first use."""
    seen: dict[str, None] = {}
    for p in parse(body):
        if isinstance(p, Placeholder):
            seen.setdefault(p.name, None)
    return tuple(seen)


def render(body: str, variables: Mapping[str, str | None]) -> str:
    """Fill every placeholder from ``variables``; a missing or empty one is an error."""
    out: list[str] = []
    missing: list[str] = []
    for p in parse(body):
        if isinstance(p, Literal):
            out.append(p.text)
            continue
        value = variables.get(p.name)
        if value is None or value == "":
            missing.append(p.name)
            continue
        out.append(str(value))
    if missing:
        names = ", ".join(dict.fromkeys(missing))
        raise TemplateError(
            "missing_variable", f"missing template variable(s): {names}", missing[0]
        )
    return "".join(out)
