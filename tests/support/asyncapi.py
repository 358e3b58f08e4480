"""The AsyncAPI specification's own JSON Schema, and validators of docs/asyncapi.yaml's messages.

The specification's schemas come from the AsyncAPI project's npm package `@asyncapi/specs`,
pinned in tools/asyncapi/package.json and installed there by `npm ci` on first use."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "tools" / "asyncapi"
DOC_URI = "urn:chorus:events"


def spec_schema(version: str = "3.0.0") -> dict[str, Any]:
    """The JSON Schema of AsyncAPI ``version`` (references resolved inside one file)."""
    path = (
        SPECS / "node_modules" / "@asyncapi" / "specs" / "schemas" / f"{version}-without-$id.json"
    )
    if not path.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install @asyncapi/specs (tools/asyncapi/package.json)"
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=SPECS,
            check=True,
            timeout=120,
        )
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def spec_errors(doc: dict[str, Any], version: str = "3.0.0") -> list[str]:
    """Where ``doc`` breaks the AsyncAPI specification: one line per error, none when valid."""
    validator = jsonschema.Draft7Validator(spec_schema(version))
    # via JSON: the validator sees exactly what a YAML/JSON reader of the file sees
    plain = json.loads(json.dumps(doc))
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in validator.iter_errors(plain)
    ]


def message_validator(doc: dict[str, Any], type_: str) -> jsonschema.Draft7Validator:
    """A validator of one record value against the document's schema for message ``type_``."""
    registry: Registry[Any] = Registry().with_resource(
        DOC_URI, Resource.from_contents(json.loads(json.dumps(doc)), default_specification=DRAFT7)
    )
    schema = {"$ref": f"{DOC_URI}#/components/messages/{type_}/payload"}
    return jsonschema.Draft7Validator(schema, registry=registry)
