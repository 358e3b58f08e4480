"""Tables shared by the database tests of the shared library."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)


def all_kinds(metadata: MetaData, name: str) -> Table:
    """A table with a column of every kind a bind or result processor converts (JSON,
    datetimes, booleans), and plain ones beside them."""
    return Table(
        name,
        metadata,
        Column("id", String(16), primary_key=True),
        Column("data", JSON, nullable=True),
        Column("at", DateTime(timezone=True), nullable=True),
        Column("flag", Boolean, nullable=False),
        Column("ratio", Float, nullable=False),
        Column("n", Integer, nullable=False),
        Column("raw", LargeBinary, nullable=True),
    )
