"""The intent classifier's tables (``router_intent_*``), made on the router's metadata."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)


def intent_tables(metadata: MetaData) -> tuple[Table, Table, Table]:
    """The corrections (examples), the models trained here, and the promotions log."""
    # The teams' corrections: a case moved to another team by its lead, or handed back as "not
    # for us" and then moved, is an example of the new team's intent. One row per case: the
    # label follows the case to the team it ends in.
    intent_examples = Table(
        "router_intent_examples",
        metadata,
        Column("case_id", String(64), primary_key=True),
        Column("text", Text, nullable=False),
        Column("lang", String(16), nullable=True),
        Column("intent", String(16), nullable=False),
        Column("team", String(64), nullable=False),
        Column("from_team", String(64), nullable=False),
        Column("source", String(16), nullable=False),
        Column("predicted", String(16), nullable=True),
        Column("actor", String(256), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        Index("ix_router_intent_examples_updated", "updated_at"),
    )

    # Models trained here (candidates until promoted), kept whole so any can be promoted again;
    # a row exists from the start of its training (status training, then ready or failed).
    intent_models = Table(
        "router_intent_models",
        metadata,
        Column("version", String(64), primary_key=True),
        Column("status", String(16), nullable=False),
        Column("model", LargeBinary, nullable=True),
        Column("meta", JSON, nullable=False),
        Column("corrections", Integer, nullable=False),
        Column("error", Text, nullable=True),
        Column("author", String(256), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("finished_at", DateTime(timezone=True), nullable=True),
    )

    # Every promotion and roll-back, in order: the newest row names the model routing uses (no
    # row: the shipped model); a roll-back undoes the newest promotion not yet undone.
    intent_promotions = Table(
        "router_intent_promotions",
        metadata,
        Column("seq", Integer, primary_key=True, autoincrement=False),
        Column("action", String(16), nullable=False),
        Column("version", String(64), nullable=False),
        Column("previous", String(64), nullable=False),
        Column("change", String(300), nullable=False),
        Column("author", String(256), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    return intent_examples, intent_models, intent_promotions
