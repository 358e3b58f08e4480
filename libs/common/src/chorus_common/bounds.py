"""Bounds every API input shares, so that no value reaches a database that cannot hold it."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

# The largest INTEGER both PostgreSQL and SQLite store in a 32-bit column.
INT32_MAX = 2**31 - 1

# An id, version or cursor that names a row (ids start at 1).
RowId = Annotated[int, Field(ge=1, le=INT32_MAX)]


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may be left out, but not null")
    return value


def not_null(*fields: str) -> Any:
    """A validator for an update body: these fields may be omitted but not sent as null."""
    return field_validator(*fields)(_refuse_null)
