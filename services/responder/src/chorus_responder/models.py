"""Tables owned by the responder (prefix ``responder_``)."""

from __future__ import annotations

from chorus_common.outbox import outbox_table, processed_table
from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table

metadata = MetaData()

outbox = outbox_table(metadata, "responder_outbox")
processed = processed_table(metadata, "responder_processed_events")

case_view = Table(
    "responder_case_view",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("thread_id", String(600), nullable=False),
    Column("status", String(32), nullable=False),
    Column("team", String(64), nullable=True),
    Column("assignee", String(64), nullable=True),
    Column("priority", String(4), nullable=False),
    Column("platform", String(32), nullable=True),
    Column("channel", String(256), nullable=True),
    Column("latest_post_id", String(600), nullable=True),
    Column("tags", JSON, nullable=False),
    Column("approvals_required", JSON, nullable=False),
    Column("collaborators", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
