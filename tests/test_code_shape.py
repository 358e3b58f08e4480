"""The shape a newcomer can read: no production module over 300 lines, no function over 60,
and no service importing another (they meet only on the topics and over HTTP)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def _production_modules() -> Iterator[Path]:
    for top in ("libs", "services"):
        for path in sorted((ROOT / top).glob("*/src/**/*.py")):
            if "migrations" not in path.parts:
                yield path


def _service_packages() -> set[str]:
    return {p.name for p in (ROOT / "services").glob("*/src/chorus_*") if p.is_dir()}


def test_production_modules_and_functions_stay_short() -> None:
    modules = list(_production_modules())
    assert len(modules) > 100, "the walk found the code"
    too_long: list[str] = []
    for path in modules:
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        if (n := len(text.splitlines())) > MAX_MODULE_LINES:
            too_long.append(f"{name}: {n} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    too_long.append(f"{name}:{node.lineno} {node.name}(): {size} lines")
    assert too_long == []


def test_no_service_imports_another() -> None:
    services = _service_packages()
    assert {"chorus_ingest", "chorus_router", "chorus_responder", "chorus_analytics"} <= services
    crossing: list[str] = []
    for path in _production_modules():
        own = next((s for s in services if s in path.parts), None)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            for name in names:
                top = name.split(".")[0]
                if top in services and top != own:
                    crossing.append(f"{path.relative_to(ROOT)} imports {name}")
    assert crossing == []
